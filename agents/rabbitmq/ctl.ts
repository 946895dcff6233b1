import type {Deadline} from '../../lib/ocf';
import {describeFailure, run, type RunResult} from '../../lib/sys/exec';
import {findBinary} from '../../lib/sys/binaries';
import type {Ctx} from './parameters';
import {nodeEnvironment} from './server-env';
import {pathsOf} from './server-process';

// rabbitmqctl with this node's environment (HOME with the cookie, node
// name, data and log paths), as root, never through a shell. Each call
// starts an Erlang VM: start and stop only, never monitor (except the
// rate-limited partition check). `node` addresses another member.
export async function rabbitmqctl(ctx: Ctx, args: readonly string[], deadline: Deadline, node?: string): Promise<RunResult> {
  const ctl = findBinary(ctx.params.ctl, ctx.env.raw) ?? ctx.params.ctl;
  const env = nodeEnvironment(ctx.params, pathsOf(ctx));
  const result = await run(ctl, [...(node ? ['-n', node] : []), ...args], {deadline, env});
  ctx.log.debug(`rabbitmqctl ${args.join(' ')}${node ? ` on ${node}` : ''}: ${result.ok ? 'ok' : describeFailure(result)}`);
  return result;
}

export {describeFailure};
