import {describeProbe, probeAmqp} from '../../lib/clients/amqp-probe';
import {OCF} from '../../lib/ocf';
import {checkLogin} from './check-login';
import type {Ctx} from './parameters';
import {connectAddress} from './server-env';
import {findBeam, pathsOf, type BeamProcess} from './server-process';

// Depth 0 of a node known to run: the AMQP 0-9-1 header answered with
// connection.start on the listener.
export async function answersAmqp(ctx: Ctx, beam: BeamProcess, fraction = 1) {
  const probe = await probeAmqp(connectAddress(ctx.params.ip), ctx.params.port, ctx.deadline.slice({fraction}));
  if (probe.kind === 'ready') return {ok: true as const, detail: describeProbe(probe)};
  return {ok: false as const, detail: `node ${ctx.params.nodename} (beam pid ${beam.pid}) does not answer AMQP: ${describeProbe(probe)}`};
}

// Monitor: 7 when no Erlang VM of this node runs; 1 when it runs but does
// not answer the AMQP header with connection.start (depth 0), or the
// check_user log-in, channel and queue declaration fail (depth 10). In
// cluster mode, non-probe monitors also check membership and partitions
// (cluster.ts). No Erlang VM is started here, except the rate-limited
// rabbitmqctl partition check when no management_port is given.
export async function monitor(ctx: Ctx) {
  const depth = ctx.isProbe ? 0 : ctx.checkLevel;
  const login = depth >= 10 ? checkLogin(ctx) : undefined;
  const beam = findBeam(pathsOf(ctx));
  if (!beam) {
    if (ctx.params.mode === 'cluster' && !ctx.isProbe) await (await import('./cluster')).withdrawMembership(ctx);
    return OCF.NOT_RUNNING;
  }
  const amqp = await answersAmqp(ctx, beam, depth >= 10 ? 0.3 : 0.8);
  if (!amqp.ok) return {code: OCF.ERR_GENERIC, reason: amqp.detail};
  if (login) {
    const {checkAmqpLogin} = await import('../../lib/clients/amqp-session');
    try {
      await checkAmqpLogin({...login, deadline: ctx.deadline.slice({fraction: 0.6})});
    } catch (error) {
      return {code: OCF.ERR_GENERIC, reason: `depth 10: AMQP log-in as ${login.user} on vhost ${login.vhost} failed: ${(error as Error).message}`};
    }
  }
  if (ctx.params.mode === 'cluster' && !ctx.isProbe) return (await import('./cluster')).clusterMonitor(ctx);
  return OCF.SUCCESS;
}
