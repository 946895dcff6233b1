import {hostname} from 'node:os';
import {OCF} from '../../lib/ocf';
import {writeFileAtomic} from '../../lib/sys/atomic-file';
import {daemonEnvironment, isOurProcess, startDaemon, stopDaemon} from '../../lib/sys/daemon';
import {logSize, readLogSince} from '../../lib/sys/log-tail';
import {requireRoot} from '../../lib/ocf/privileges';
import {latestFull} from './chain';
import type {Ctx} from './parameters';
import {checkLogin, configFromParams, requireBackupDir, requireBinary, requireCredentials} from './prepare';
import {overdueReason} from './schedule';
import {findScheduler, schedulerPaths} from './scheduler-process';
import {listSets, readStatus, removeLeftovers} from './store';

// How long start waits for the scheduler to arm (write status.json).
const ARM_MS = 15_000;

// Start: 0 at once when this instance's scheduler runs. Otherwise check
// mariabackup, the backup directory and the credentials (a real log-in),
// write the scheduler's configuration, start `hacloud backup daemon` in its
// own session and return once it has armed (status.json names its pid).
export async function start(ctx: Ctx) {
  requireRoot(ctx);
  const running = findScheduler(ctx);
  if (running) {
    ctx.log.info(`scheduler already armed (pid ${running.pid}); nothing to do`);
    return OCF.SUCCESS;
  }
  const binary = requireBinary(ctx);
  requireBackupDir(ctx.params.backup_dir);
  await checkLogin(ctx, requireCredentials(ctx));
  ctx.stateDir();
  const paths = schedulerPaths(ctx);
  writeFileAtomic(paths.config, `${JSON.stringify(configFromParams(ctx, binary), null, 2)}\n`, {mode: 0o600});
  const offset = logSize(paths.log);
  const record = await startDaemon({
    file: process.execPath,
    args: ['backup', 'daemon', '--config', paths.config],
    pidfile: paths.pidfile,
    logFile: paths.log,
    env: daemonEnvironment(),
  });
  const window = ctx.deadline.slice({ms: ARM_MS});
  const armed = await window.poll(() => !isOurProcess(record) || readStatus(ctx.params.backup_dir)?.pid === record.pid, 100);
  if (!isOurProcess(record)) {
    return {code: OCF.ERR_GENERIC, reason: `the scheduler exited at once: ${lastLines(readLogSince(paths.log, offset))}`};
  }
  if (!armed) {
    await stopDaemon(paths.pidfile, ctx.deadline);
    return {code: OCF.ERR_GENERIC, reason: `the scheduler (pid ${record.pid}) did not arm within ${ARM_MS / 1000} s; stopped it`};
  }
  ctx.log.info(`scheduler armed on ${hostname()} (pid ${record.pid}), sets in ${ctx.params.backup_dir}`);
  return OCF.SUCCESS;
}

// Stop: TERM the scheduler's process group; it aborts a running backup
// (mariabackup and its children) and removes the partial set. KILL when it
// does not exit within 70 % of the deadline; fails (1) if it survives. A
// partial set a killed scheduler left is removed here.
export async function stop(ctx: Ctx) {
  requireRoot(ctx);
  const outcome = await stopDaemon(schedulerPaths(ctx).pidfile, ctx.deadline, {termFraction: 0.7});
  if (outcome !== 'not-running') ctx.log.info(`scheduler ${outcome === 'killed' ? 'killed' : 'stopped'}`);
  for (const name of removeLeftovers(ctx.params.backup_dir)) ctx.log.info(`removed ${name} from ${ctx.params.backup_dir}`);
  return OCF.SUCCESS;
}

// Monitor: 7 when this node's scheduler does not run (not armed), else 0.
// Depth 10 also fails (1) when the last scheduled backup since this start
// failed, when the schedule is overdue, or when status.json belongs to
// another scheduler (two nodes backing up into one directory).
export function monitor(ctx: Ctx) {
  const scheduler = findScheduler(ctx);
  if (!scheduler) return OCF.NOT_RUNNING;
  const depth = ctx.isProbe ? 0 : ctx.checkLevel;
  if (depth < 10) return OCF.SUCCESS;
  const dir = ctx.params.backup_dir;
  const status = readStatus(dir);
  if (!status) return {code: OCF.ERR_GENERIC, reason: `no readable status.json in ${dir}`};
  if (status.pid !== scheduler.pid) {
    return {code: OCF.ERR_GENERIC, reason: `status.json in ${dir} belongs to scheduler pid ${status.pid} on ${status.node}, not this one (pid ${scheduler.pid}): is another node backing up into it?`};
  }
  const armedAt = Date.parse(status.armedAt);
  const last = status.lastRun;
  if (last?.result === 'failure' && Date.parse(last.finishedAt) >= armedAt) {
    return {code: OCF.ERR_GENERIC, reason: `last scheduled ${last.type} backup failed at ${last.finishedAt}: ${last.reason ?? 'no reason recorded'}`};
  }
  if (status.running) return OCF.SUCCESS;
  const sets = listSets(dir).filter((s) => s.state === 'good');
  const started = (iso: string | undefined) => (iso === undefined ? {} : {t: Date.parse(iso)});
  const full = started(latestFull(sets)?.started).t;
  const newest = started(sets.at(-1)?.manifest?.started).t;
  const reason = overdueReason(
    {fullIntervalMs: ctx.params.full_interval, differentialIntervalMs: ctx.params.differential_interval, graceMs: ctx.params.overdue_grace},
    {armedAt, ...(full === undefined ? {} : {latestFull: full}), ...(newest === undefined ? {} : {latestSet: newest})},
    Date.now(),
  );
  return reason ? {code: OCF.ERR_GENERIC, reason} : OCF.SUCCESS;
}

const lastLines = (text: string): string => text.trim().split('\n').slice(-3).join(' | ') || 'no output';
