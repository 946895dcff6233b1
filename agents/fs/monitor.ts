import {hostname} from 'node:os';
import {join} from 'node:path';
import {GenericError, OCF, type ActionResult} from '../../lib/ocf';
import {safeInstanceName} from '../../lib/ocf/state-dir';
import {readBlockDirect, writeReadBack} from '../../lib/sys/io-probe';
import {directoryOf, observeMount, observeMountSync, type MountState} from './mount-state';
import {isBindMount, type Ctx} from './params';

// Monitor. Depth 0 reads /proc/self/mountinfo and stats the device, in
// process: no fork, no child_process. Depth 10 also reads a block of the
// device past the page cache; depth 20 also writes, syncs, reads back and
// removes a status file on the filesystem. The read and write tests stall
// when the storage is gone: the action then ends at its deadline with 1 and
// it is up to Pacemaker to recover (or fence).
export function monitor(ctx: Ctx): ActionResult | Promise<ActionResult> {
  if (ctx.isProbe && isRootDirectory(ctx)) return OCF.NOT_RUNNING;
  const state = observeMountSync(ctx);
  return state ? answer(ctx, state) : observeMount(ctx).then((s) => answer(ctx, s));
}

function answer(ctx: Ctx, state: MountState): ActionResult | Promise<ActionResult> {
  switch (state.kind) {
    case 'absent':
      return OCF.NOT_RUNNING;
    case 'foreign':
      // Another filesystem on the directory: not ours, so not running for a
      // probe; a failure for a recurring monitor, so Pacemaker recovers here
      // instead of stopping the resource everywhere as 6 would (PR #2138).
      if (ctx.isProbe) {
        ctx.log.warn(`${state.reason}: reporting not running`);
        return OCF.NOT_RUNNING;
      }
      return {code: OCF.ERR_GENERIC, reason: state.reason};
    case 'mounted':
      if (ctx.checkLevel >= 10) return deepChecks(ctx, state.device);
      return OCF.SUCCESS;
  }
}

async function deepChecks(ctx: Ctx, device: string): Promise<ActionResult> {
  if (isBindMount(ctx.params)) {
    ctx.log.debug(`${device} is a directory (bind mount): no device read at depth 10`);
  } else {
    try {
      const read = await readBlockDirect(device);
      if (!read.direct) ctx.log.warn(`${device} refused O_DIRECT: read through the page cache`);
      if (read.bytes === 0) throw new Error('read 0 bytes');
    } catch (error) {
      throw new GenericError(`failed to read ${device}: ${(error as Error).message}`);
    }
  }
  if (ctx.checkLevel >= 20) {
    const file = statusFile(ctx);
    if (/(^|,)ro(,|$)/.test(ctx.params.options ?? '')) {
      ctx.log.debug(`mounted read-only: no status file written at depth 20`);
      return OCF.SUCCESS;
    }
    try {
      await writeReadBack(file, `${ctx.instance} ${nodeName(ctx)} ${Date.now()} ${process.pid}\n`);
    } catch (error) {
      throw new GenericError(`write test on ${directoryOf(ctx)} failed: ${(error as Error).message}`);
    }
  }
  return OCF.SUCCESS;
}

const isRootDirectory = (ctx: Ctx): boolean => {
  try {
    directoryOf(ctx);
    return false;
  } catch {
    return true;
  }
};

// Pacemaker's node name when it gave one (no fork to crm_node on a monitor), else the host name.
const nodeName = (ctx: Ctx): string => ctx.env.meta('on_node') || hostname();

// <directory>/<statusfile_prefix><instance>_<node>
export const statusFile = (ctx: Ctx): string =>
  join(directoryOf(ctx), `${ctx.params.statusfile_prefix}${safeInstanceName(ctx.instance)}_${safeInstanceName(nodeName(ctx))}`);
