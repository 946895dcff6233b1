import {join} from 'node:path';
import {GenericError} from '../../lib/ocf';
import type {Deadline} from '../../lib/ocf/deadline';
import {safeInstanceName} from '../../lib/ocf/state-dir';
import {isOurProcess} from '../../lib/sys/daemon';
import {readPidfile, removePidfile, type PidRecord} from '../../lib/sys/pidfile';
import {readProcStat} from '../../lib/sys/proc';
import {listPids} from '../../lib/sys/proc-list';
import {descendants} from '../../lib/sys/process-tree';
import type {Ctx} from './parameters';
import type {DaemonSpec, Preset} from './preset';

export interface DaemonState {
  daemon: DaemonSpec;
  pidfile: string;
  // The live process we started, when there is one.
  process?: PidRecord;
  // The pidfile's record, live or not (its session may outlive it).
  record?: PidRecord;
}

// Where a daemon's record lives: the pidfile parameter for the first daemon,
// else <id>.pid in the state directory (not created here: a probe must not need /run writable).
export function pidfileOf(ctx: Ctx, preset: Preset, daemon: DaemonSpec): string {
  if (daemon === preset.daemons[0] && ctx.params.pidfile) return ctx.params.pidfile;
  return join(ctx.env.stateRoot, 'hacloud', safeInstanceName(ctx.instance), `${daemon.id}.pid`);
}

// Each daemon of the service with its live process (same pid and start time as recorded).
export function daemonStates(ctx: Ctx, preset: Preset): DaemonState[] {
  return preset.daemons.map((daemon) => {
    const pidfile = pidfileOf(ctx, preset, daemon);
    const record = readPidfile(pidfile);
    if (!record) return {daemon, pidfile};
    return isOurProcess(record) ? {daemon, pidfile, process: record, record} : {daemon, pidfile, record};
  });
}

interface Member {
  pid: number;
  startTime: number;
}

// The daemon's processes: its session (startDaemon made it a session leader;
// Linux reuses no pid still naming a session, so the members are ours even
// after the leader died, as uWSGI workers outlive a killed master for a
// while) and the descendants of a live leader (in case one called setsid).
function treeOf(record: PidRecord): Member[] {
  const members = new Map<number, Member>();
  for (const pid of listPids()) {
    const stat = readProcStat(pid);
    if (stat && stat.session === record.pid) members.set(pid, {pid, startTime: stat.startTime});
  }
  const root = readProcStat(record.pid);
  if (root && (record.startTime === undefined || root.startTime === record.startTime)) {
    members.set(root.pid, {pid: root.pid, startTime: root.startTime});
    for (const p of descendants(record.pid)) members.set(p.pid, {pid: p.pid, startTime: p.startTime});
  }
  return [...members.values()];
}

const alive = (m: Member): boolean => readProcStat(m.pid)?.startTime === m.startTime;

const signal = (pid: number, name: NodeJS.Signals): void => {
  try {
    process.kill(pid, name);
  } catch {
    // gone
  }
};

export type TreeStop = 'not-running' | 'terminated' | 'killed';

// Share of the stop deadline for SIGTERM, and the wait before the nudge.
const TERM_FRACTION = 0.6;
const NUDGE_MS = 3000;

// Stops a daemon and its whole tree: SIGTERM to the leader (uWSGI's master
// and oslo.service's parent stop their workers themselves; a worker that
// gets SIGTERM directly only reloads), or to every member when the leader is
// gone, for up to `termFraction` of the time left; then SIGKILL to whatever
// is left, verified gone. The SIGTERM window is at most 15 s, Debian's
// TimeoutStopSec. `nudge`: a signal for the members still there after
// NUDGE_MS (uWSGI: SIGINT, what its master sent them; a lazy-apps worker
// still loading the application when the master asked loses that signal and
// the master would wait minutes for it). Throws when a process survives.
export async function stopTree(record: PidRecord, deadline: Deadline, {nudge, termMaxMs = 15_000}: {nudge?: NodeJS.Signals; termMaxMs?: number} = {}): Promise<TreeStop> {
  const tree = treeOf(record);
  const remaining = () => tree.filter(alive);
  if (tree.length === 0) return 'not-running';
  const leader = tree.find((m) => m.pid === record.pid);
  for (const m of leader ? [leader] : tree) signal(m.pid, 'SIGTERM');
  const window = deadline.slice({fraction: TERM_FRACTION, ms: termMaxMs});
  if (nudge && leader && !(await window.slice({ms: NUDGE_MS}).poll(() => remaining().length === 0, 50))) {
    for (const m of remaining()) if (m.pid !== leader.pid) signal(m.pid, nudge);
  }
  if (await window.poll(() => remaining().length === 0, 50)) return 'terminated';
  // Children forked meanwhile count too.
  for (const m of treeOf(record)) if (!tree.some((t) => t.pid === m.pid)) tree.push(m);
  for (const m of remaining()) signal(m.pid, 'SIGKILL');
  if (await deadline.poll(() => remaining().length === 0, 50)) return 'killed';
  throw new GenericError(`processes ${remaining().map((m) => m.pid).join(', ')} survived SIGKILL`);
}

// Stops every daemon of the service (last first) and removes their records.
export async function stopDaemons(ctx: Ctx, states: readonly DaemonState[]): Promise<void> {
  for (const [index, state] of [...states].reverse().entries()) {
    if (state.record) {
      const share = ctx.deadline.slice({fraction: 1 / (states.length - index)});
      const outcome = await stopTree(state.record, share, state.daemon.command.kind === 'uwsgi' ? {nudge: 'SIGINT'} : {});
      if (outcome !== 'not-running') (outcome === 'killed' ? ctx.log.warn : ctx.log.info)(`${state.daemon.id} (session ${state.record.pid}) ${outcome}`);
    }
    removePidfile(state.pidfile);
  }
}
