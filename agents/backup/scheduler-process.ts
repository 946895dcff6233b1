import {join} from 'node:path';
import {safeInstanceName} from '../../lib/ocf/state-dir';
import {isOurProcess} from '../../lib/sys/daemon';
import {readPidfile, type PidRecord} from '../../lib/sys/pidfile';
import type {Ctx} from './parameters';

// The scheduler's files in the state directory
// (/run/resource-agents/hacloud/<instance>/): its pidfile (pid and start
// time), the configuration it reads, and its log.
export const schedulerPaths = (ctx: Ctx) => {
  const dir = join(ctx.env.stateRoot, 'hacloud', safeInstanceName(ctx.instance));
  return {dir, pidfile: join(dir, 'scheduler.pid'), config: join(dir, 'scheduler.json'), log: join(dir, 'scheduler.log')};
};

// The live scheduler of this instance, if any (read without creating the
// state directory: a probe must not need /run writable).
export function findScheduler(ctx: Ctx): PidRecord | undefined {
  const record = readPidfile(schedulerPaths(ctx).pidfile);
  return record && isOurProcess(record) ? record : undefined;
}
