import {readFileSync, writeSync} from 'node:fs';
import {hostname} from 'node:os';
import {createLogger} from '../../lib/ocf/log';
import {LockBusyError} from '../../lib/sys/lockfile';
import {descendants} from '../../lib/sys/process-tree';
import {latestFull} from './chain';
import {parseConfig, type BackupConfig} from './config';
import {nextBackup, type ScheduleFacts} from './schedule';
import {listSets, readStatus, removeLeftovers, writeStatus, type SchedulerStatus} from './store';
import {takeBackup} from './take';

// Longest single sleep: the scheduler looks at the backup directory again
// at least this often (sets taken by hand count).
const MAX_SLEEP_MS = 60_000;

// The scheduler: `hacloud backup daemon --config FILE`, started by the
// agent's start in its own session, tracked by the agent's pidfile. Loops:
// work out the next backup from the sets on disk, sleep until it is due,
// take it, record the outcome in status.json. SIGTERM (the agent's stop)
// aborts a running backup (mariabackup and anything below it: TERM, then
// KILL), lets takeBackup remove the partial set, records "interrupted" and exits 0.
export async function runScheduler(configPath: string): Promise<number> {
  const config = parseConfig(readFileSync(configPath, 'utf8'));
  const log = createLogger({tag: `backup-scheduler(${config.instance})`, debug: false, write: (line) => writeSync(2, line)});
  const controller = new AbortController();
  let wake: () => void = () => undefined;
  const stop = (signal: string) => {
    if (controller.signal.aborted) return;
    log.info(`${signal}: disarming`);
    controller.abort();
    signalTree('SIGTERM');
    wake();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const armedAt = Date.now();
  const previous = readStatus(config.backupDir);
  const status: SchedulerStatus = {
    format: 1,
    instance: config.instance,
    node: hostname(),
    pid: process.pid,
    armedAt: new Date(armedAt).toISOString(),
    ...(previous?.lastRun ? {lastRun: previous.lastRun} : {}),
  };
  for (const name of removeLeftovers(config.backupDir)) log.info(`removed ${name}, left by a process that is gone`);
  writeStatus(config.backupDir, status);
  log.info(`armed on ${status.node}: full every ${config.fullIntervalMs} ms, differential every ${config.differentialIntervalMs} ms, into ${config.backupDir}`);

  while (!controller.signal.aborted) {
    let delay: number;
    try {
      delay = await step(config, status, armedAt, controller.signal, log);
    } catch (error) {
      log.error(`scheduler: ${(error as Error).message}`);
      delay = 30_000;
    }
    if (controller.signal.aborted) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(100, Math.min(delay, MAX_SLEEP_MS)));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  // Whatever a TERM did not end goes now.
  signalTree('SIGKILL');
  log.info('disarmed');
  return 0;
}

// One turn: takes the backup that is due, or says how long to wait for it.
async function step(config: BackupConfig, status: SchedulerStatus, armedAt: number, signal: AbortSignal, log: ReturnType<typeof createLogger>): Promise<number> {
  const sets = listSets(config.backupDir);
  const good = sets.filter((s) => s.state === 'good' && s.manifest);
  const last = status.lastRun;
  const facts: ScheduleFacts = {
    armedAt,
    ...optionalTime('latestFull', latestFull(sets)?.started),
    ...optionalTime('latestSet', good.at(-1)?.manifest?.started),
    // Failures before this arming do not delay the first attempt here.
    ...(last?.result === 'failure' && Date.parse(last.finishedAt) >= armedAt ? {lastFailureAt: Date.parse(last.finishedAt)} : {}),
  };
  const next = nextBackup(config, facts);
  const wait = next.at - Date.now();
  if (wait > 0) return wait;

  const startedAt = new Date().toISOString();
  status.running = {type: next.type, startedAt};
  writeStatus(config.backupDir, status);
  try {
    const manifest = await takeBackup(config, next.type, {log, signal});
    status.lastRun = {type: next.type, result: 'success', startedAt, finishedAt: new Date().toISOString(), set: manifest.id};
  } catch (error) {
    if (error instanceof LockBusyError) {
      log.info(`${next.type} backup postponed: ${error.message} (a backup taken by hand?)`);
      delete status.running;
      writeStatus(config.backupDir, status);
      return 30_000;
    }
    const interrupted = signal.aborted;
    const reason = interrupted ? 'interrupted by stop' : (error as Error).message;
    (interrupted ? log.info : log.error)(`${next.type} backup ${interrupted ? 'interrupted' : 'failed'}: ${reason}`);
    status.lastRun = {type: next.type, result: interrupted ? 'interrupted' : 'failure', startedAt, finishedAt: new Date().toISOString(), reason};
  }
  delete status.running;
  writeStatus(config.backupDir, status);
  return 0;
}

const optionalTime = <K extends string>(key: K, iso: string | undefined): Partial<Record<K, number>> =>
  (iso === undefined ? {} : {[key]: Date.parse(iso)}) as Partial<Record<K, number>>;

// Signals every process below the scheduler (mariabackup, tar).
function signalTree(signal: NodeJS.Signals): void {
  for (const child of descendants(process.pid)) {
    try {
      process.kill(child.pid, signal);
    } catch {
      // gone
    }
  }
}
