import {OCF} from '../../lib/ocf';
import type {Ctx} from './parameters';
import type {Preset} from './preset';
import {daemonStates, stopDaemons} from './processes';

// Stop: every daemon's whole process tree, TERM then KILL inside the
// deadline, verified gone (1 when a process survives). 0 when nothing runs.
export function stopFor(preset: Preset) {
  return async (ctx: Ctx) => {
    await stopDaemons(ctx, daemonStates(ctx, preset));
    return OCF.SUCCESS;
  };
}
