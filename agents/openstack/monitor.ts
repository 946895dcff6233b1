import {OCF} from '../../lib/ocf';
import type {Deadline} from '../../lib/ocf/deadline';
import {checkBroker, checkHealth, checkListener, type Check} from './checks';
import {checkDeep} from './deep-check';
import type {Ctx} from './parameters';
import type {Preset} from './preset';
import {daemonStates, type DaemonState} from './processes';

// The checks of a running service up to `level`, first failure wins:
// 0 the listener (APIs) and the broker connection (RPC daemons),
// 10 the unauthenticated HTTP check, 20 the authenticated one.
export async function checkService(ctx: Ctx, preset: Preset, states: readonly DaemonState[], level: number, deadline: Deadline): Promise<Check> {
  const steps: (() => Promise<Check>)[] = [() => checkListener(ctx, deadline), () => checkBroker(ctx, states)];
  if (level >= 10) steps.push(() => checkHealth(ctx, preset, deadline));
  if (level >= 20) steps.push(() => checkDeep(ctx, preset));
  let draining = false;
  for (const step of steps) {
    const result = await step();
    if (!result.ok) return result;
    draining ||= result.draining === true;
  }
  return {ok: true, draining};
}

// Monitor: 7 when no daemon of the service runs, 1 when only some do or a
// check fails; 0 otherwise (a drained /healthcheck included, logged).
export function monitorFor(preset: Preset) {
  return async (ctx: Ctx) => {
    const states = daemonStates(ctx, preset);
    const down = states.filter((s) => !s.process);
    if (down.length === states.length) return OCF.NOT_RUNNING;
    if (down.length > 0) {
      return {code: OCF.ERR_GENERIC, reason: `${down.map((s) => s.daemon.id).join(', ')} not running (${states.length - down.length} of ${states.length} daemons run)`};
    }
    const result = await checkService(ctx, preset, states, ctx.checkLevel, ctx.deadline);
    if (!result.ok) return {code: OCF.ERR_GENERIC, reason: result.reason};
    if (result.draining) ctx.log.warn(`${ctx.params.health_path} is disabled by file: draining (reported as running)`);
    return OCF.SUCCESS;
  };
}
