import {describeProbe, portAcceptsConnections, probeAmqp} from '../../lib/clients/amqp-probe';
import {GenericError, OCF} from '../../lib/ocf';
import {startDaemon} from '../../lib/sys/daemon';
import {removePidfile} from '../../lib/sys/pidfile';
import {answersAmqp} from './monitor';
import type {Ctx} from './parameters';
import {installCookie, lookupOwner, prepareDirectories, requireCtl, requireRoot, requireServer} from './prepare';
import {connectAddress, distPort, serverEnvironment} from './server-env';
import {logSize, readLogSince} from '../../lib/sys/log-tail';
import {summariseStartFailure} from './server-log';
import {findBeam, isRunning, killTree, pathsOf, processTree, treeAlive, type BeamProcess} from './server-process';

// Part of the start deadline kept to kill a node that did not come up.
const KILL_RESERVE_MS = 3000;

// Start: 0 at once when the node runs and answers AMQP. Otherwise check
// binaries, user, cookie and data directory, refuse ports another program
// holds, run rabbitmq-server as user in its own session and return once the
// listener answers the AMQP header with connection.start (the VM existing
// is not enough: the broker opens its listener last). In cluster mode the
// node first joins the running members (cluster.ts). A node that exits or
// does not answer in time fails the start (1) with its log's errors, and is
// not left running. Data is never reset here.
export async function start(ctx: Ctx) {
  requireRoot(ctx);
  const paths = pathsOf(ctx);
  const running = findBeam(paths);
  if (running) {
    const amqp = await answersAmqp(ctx, running, 0.2);
    if (amqp.ok) {
      ctx.log.info(`node ${ctx.params.nodename} already running (beam pid ${running.pid}); nothing to do`);
      return ctx.params.mode === 'cluster' ? (await import('./cluster')).afterStart(ctx, false) : OCF.SUCCESS;
    }
    ctx.log.info(`beam pid ${running.pid} runs but does not answer AMQP yet; waiting for it`);
    return waitUntilReady(ctx, running, {node: logSize(paths.nodeLog), startup: logSize(paths.startupLog)});
  }
  const server = requireServer(ctx);
  if (ctx.params.mode === 'cluster') requireCtl(ctx);
  const owner = await lookupOwner(ctx);
  ctx.stateDir();
  prepareDirectories(ctx, owner);
  installCookie(ctx, owner, paths);
  await refuseBusyPorts(ctx);

  const cluster = ctx.params.mode === 'cluster' ? await import('./cluster') : undefined;
  const plan = cluster ? await cluster.beforeStart(ctx) : undefined;

  const offsets = {node: logSize(paths.nodeLog), startup: logSize(paths.startupLog)};
  const record = await startDaemon({
    file: server,
    args: [],
    pidfile: paths.pidfile,
    logFile: paths.startupLog,
    env: serverEnvironment(ctx.params, paths, process.env),
    cwd: ctx.params.data_dir,
    uid: owner.uid,
    gid: owner.gid,
  });
  ctx.log.info(`started ${server} as ${owner.name} for node ${ctx.params.nodename} (beam pid ${record.pid})`);
  const beam: BeamProcess = {pid: record.pid, startTime: record.startTime, startedByAgent: true};
  const result = await waitUntilReady(ctx, beam, offsets);
  if (result !== OCF.SUCCESS || !cluster) return result;
  return cluster.afterStart(ctx, true, plan);
}

// Another program on the AMQP or distribution port would make the node fail
// its boot after many seconds with an Erlang error: say it plainly now.
async function refuseBusyPorts(ctx: Ctx): Promise<void> {
  const host = connectAddress(ctx.params.ip);
  for (const [what, port] of [
    ['AMQP port', ctx.params.port],
    ['distribution port', distPort(ctx.params)],
  ] as const) {
    if (await portAcceptsConnections(what === 'AMQP port' ? host : '127.0.0.1', port, ctx.deadline.slice({ms: 1000}))) {
      const amqp = what === 'AMQP port' ? await probeAmqp(host, port, ctx.deadline.slice({ms: 2000})) : undefined;
      const who = amqp?.kind === 'ready' ? ` (${describeProbe(amqp)}: a broker this resource did not start)` : '';
      throw new GenericError(`${what} ${port} is already in use on ${what === 'AMQP port' ? host : 'this node'}${who}`);
    }
  }
}

async function waitUntilReady(ctx: Ctx, beam: BeamProcess, offsets: {node: number; startup: number}) {
  const paths = pathsOf(ctx);
  const window = ctx.deadline.slice({ms: Math.max(0, ctx.deadline.remainingMs() - KILL_RESERVE_MS)});
  let last = 'no answer yet';
  const ready = await window.poll(async () => {
    if (!isRunning(beam)) return true;
    const amqp = await answersAmqp(ctx, beam, 0.2);
    if (amqp.ok) return true;
    last = amqp.detail;
    return false;
  }, 250);
  if (ready && isRunning(beam)) {
    ctx.log.info(`node ${ctx.params.nodename} (beam pid ${beam.pid}) answers AMQP on ${connectAddress(ctx.params.ip)}:${ctx.params.port}`);
    return OCF.SUCCESS;
  }
  const errors = () =>
    summariseStartFailure(readLogSince(paths.nodeLog, offsets.node), readLogSince(paths.startupLog, offsets.startup)) || `nothing in ${ctx.params.log_dir}`;
  if (!isRunning(beam)) {
    removePidfile(paths.pidfile);
    return {code: OCF.ERR_GENERIC, reason: `node ${ctx.params.nodename} exited during start: ${errors()}`};
  }
  // Up but not answering: do not leave it behind (Pacemaker would find a node it believes stopped).
  const tree = processTree(beam);
  killTree(tree);
  await ctx.deadline.poll(() => !treeAlive(tree), 50);
  removePidfile(paths.pidfile);
  return {
    code: OCF.ERR_GENERIC,
    reason: `node ${ctx.params.nodename} (beam pid ${beam.pid}) did not answer AMQP in time (${last}); killed it. Log: ${errors()}`,
  };
}
