import {GenericError, OCF} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import {removePidfile} from '../../lib/sys/pidfile';
import {describeFailure, rabbitmqctl} from './ctl';
import {stopEpmdIfOurs} from './epmd-owner';
import type {Ctx} from './parameters';
import {requireRoot} from './prepare';
import {findBeam, isRunning, killTree, pathsOf, processesOfInstance, processTree, treeAlive} from './server-process';

// How the stop deadline is shared: stop_app at most 40 % (it closes client
// connections and stops the broker's applications cleanly), the node's own
// shutdown after SIGTERM (Erlang's init:stop) up to 70 % of the rest, then
// SIGKILL of the whole tree for what is left.
const STOP_APP_FRACTION = 0.4;
const NODE_FRACTION = 0.7;

// Stop: 0 when no node runs. Otherwise rabbitmqctl stop_app, then SIGTERM to
// the VM (a clean node shutdown), then SIGKILL to the VM and every process
// below it (erl_child_setup, inet_gethost live in sessions of their own),
// then epmd when this resource started it and no other node uses it. A node
// that survives fails the stop (1), so Pacemaker fences rather than start a
// second broker on the same data. Data is never touched.
export async function stop(ctx: Ctx) {
  requireRoot(ctx);
  const paths = pathsOf(ctx);
  const beam = findBeam(paths);
  if (ctx.params.mode === 'cluster') await (await import('./cluster')).withdrawMembership(ctx);
  if (!beam) {
    await killLeftovers(ctx);
    removePidfile(paths.pidfile);
    await stopEpmdIfOurs(ctx.env.stateRoot, ctx.deadline, ctx.log);
    return OCF.SUCCESS;
  }
  const tree = processTree(beam);
  if (findBinary(ctx.params.ctl, ctx.env.raw)) {
    const result = await rabbitmqctl(ctx, ['stop_app'], ctx.deadline.slice({fraction: STOP_APP_FRACTION}));
    if (!result.ok) ctx.log.warn(`stop_app failed (${describeFailure(result)}): stopping the node anyway`);
  } else {
    ctx.log.warn(`${ctx.params.ctl} not found: stopping the node without stop_app`);
  }
  try {
    process.kill(beam.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const clean = await ctx.deadline.slice({fraction: NODE_FRACTION}).poll(() => !isRunning(beam), 100);
  if (!clean) ctx.log.warn(`node ${ctx.params.nodename} (beam pid ${beam.pid}) did not shut down after SIGTERM: SIGKILL to its process tree`);
  // The children are killed in every case: a port program left by a VM that exited is ours too.
  killTree(tree);
  if (!(await ctx.deadline.poll(() => !treeAlive(tree), 50))) {
    const left = tree.filter((p) => treeAlive([p]));
    throw new GenericError(`node ${ctx.params.nodename}: processes ${left.map((p) => p.pid).join(', ')} survived SIGKILL`);
  }
  await killLeftovers(ctx);
  removePidfile(paths.pidfile);
  ctx.log.info(`node ${ctx.params.nodename} (beam pid ${beam.pid}) ${clean ? 'stopped' : 'killed'}`);
  await stopEpmdIfOurs(ctx.env.stateRoot, ctx.deadline, ctx.log);
  return OCF.SUCCESS;
}

// Processes of this node that outlived its VM (a port program after a kill
// -9 of beam): SIGKILL. epmd is left to stopEpmdIfOurs.
async function killLeftovers(ctx: Ctx): Promise<void> {
  const left = processesOfInstance(pathsOf(ctx).home).filter((p) => p.comm !== 'epmd');
  if (left.length === 0) return;
  ctx.log.info(`killing leftovers of node ${ctx.params.nodename}: ${left.map((p) => `${p.comm} ${p.pid}`).join(', ')}`);
  killTree(left);
  if (!(await ctx.deadline.poll(() => !treeAlive(left), 50))) {
    throw new GenericError(`node ${ctx.params.nodename}: leftover processes ${left.filter((p) => treeAlive([p])).map((p) => p.pid).join(', ')} survived SIGKILL`);
  }
}
