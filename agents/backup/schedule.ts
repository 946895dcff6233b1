// When the scheduler takes the next backup, and when monitor calls the
// schedule overdue. Pure: times are epoch milliseconds.

export interface ScheduleSettings {
  fullIntervalMs: number;
  differentialIntervalMs: number;
  graceMs: number;
}

export interface ScheduleFacts {
  // When this node's scheduler was armed (the start of the resource).
  armedAt: number;
  // Start times of the newest good full set and of the newest good set of either type.
  latestFull?: number;
  latestSet?: number;
  // The last scheduled attempt that failed, when it is the newest attempt.
  lastFailureAt?: number;
}

// After a failure the scheduler waits this long (at most) before trying again.
export const RETRY_MAX_MS = 5 * 60_000;

export interface NextBackup {
  type: 'full' | 'differential';
  at: number;
}

// A full when none exists or the newest is full_interval old; otherwise a
// differential (against the newest full) differential_interval after the
// newest set. A full due no later than the differential wins. After a
// failure, not before min(differential_interval, 5 min) has passed.
export function nextBackup(s: ScheduleSettings, f: ScheduleFacts): NextBackup {
  const fullAt = f.latestFull === undefined ? f.armedAt : f.latestFull + s.fullIntervalMs;
  const diffAt = f.latestFull === undefined ? Infinity : (f.latestSet ?? f.latestFull) + s.differentialIntervalMs;
  const next: NextBackup = fullAt <= diffAt ? {type: 'full', at: fullAt} : {type: 'differential', at: diffAt};
  if (f.lastFailureAt !== undefined) next.at = Math.max(next.at, f.lastFailureAt + Math.min(s.differentialIntervalMs, RETRY_MAX_MS));
  return next;
}

// Why the schedule is overdue at `now`, or undefined: no full set started
// within full_interval + grace, or no set at all within
// differential_interval + grace, counted from the later of the set and the
// arming of the schedule on this node.
export function overdueReason(s: ScheduleSettings, f: ScheduleFacts, now: number): string | undefined {
  const since = (t: number | undefined) => Math.max(t ?? -Infinity, f.armedAt);
  const late = (reference: number, interval: number) => now > reference + interval + s.graceMs;
  const describe = (t: number | undefined) => (t === undefined ? 'none yet' : `the last started ${new Date(t).toISOString()}`);
  if (late(since(f.latestFull), s.fullIntervalMs)) {
    return `full backup overdue: ${describe(f.latestFull)}, full_interval ${formatMs(s.fullIntervalMs)} + grace ${formatMs(s.graceMs)}`;
  }
  if (late(since(f.latestSet), s.differentialIntervalMs)) {
    return `differential backup overdue: ${describe(f.latestSet)}, differential_interval ${formatMs(s.differentialIntervalMs)} + grace ${formatMs(s.graceMs)}`;
  }
  return undefined;
}

// 90000 → "1m30s", 86400000 → "1d".
export function formatMs(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text || `${rest}ms`;
}
