// Where a failover's time goes, read from the survivor's pacemaker.log: when
// the peer was declared lost, when fencing confirmed it, and when each
// resource action on the survivor was requested and finished. Times are in
// ms from the power-off.

export interface Step {
  label: string;
  // ms from the power-off
  at: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// "Dec 02 11:34:28.581 ctl1 pacemaker-controld [68] (...) notice: ..." →
// epoch ms (the log's local time; it carries no year: the power-off's is used).
export function logLineTime(line: string, year: number): number | undefined {
  const m = /^([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) /.exec(line);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return undefined;
  const [day, h, min, s, ms] = m.slice(2).map(Number) as [number, number, number, number, number];
  return new Date(year, month, day, h, min, s, ms).getTime();
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// The first time each step happened at or after the power-off.
export function failoverSteps(log: string, powerOffAt: number, survivor: string, victim: string, resources: string[]): Step[] {
  const year = new Date(powerOffAt).getFullYear();
  const patterns: [string, RegExp][] = [
    ['peer lost', new RegExp(`pacemaker-controld.*Node ${escape(victim)} state is now lost`)],
    ['fencing confirmed', new RegExp(`Peer ${escape(victim)} was terminated \\(\\w+\\) by .*: OK`)],
  ];
  for (const resource of resources) {
    const r = escape(resource);
    const s = escape(survivor);
    const op = /drbd/.test(resource) ? 'promote' : 'start';
    patterns.push([`${resource} ${op} requested`, new RegExp(`Requesting local execution of ${op} operation for ${r} on ${s}`)]);
    patterns.push([`${resource} ${op} done`, new RegExp(`Result of ${op} operation for ${r} on ${s}: ok`)]);
  }
  const steps: Step[] = [];
  const lines = log.split('\n');
  for (const [label, pattern] of patterns) {
    for (const line of lines) {
      const at = logLineTime(line, year);
      if (at === undefined || at < powerOffAt || !pattern.test(line)) continue;
      steps.push({label, at: at - powerOffAt});
      break;
    }
  }
  return steps.sort((a, b) => a.at - b.at);
}

// NaN for no values (a side that was not run).
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// Per label, the median over runs (a run without that step is left out of its median).
export function medianSteps(runs: Step[][]): Step[] {
  const byLabel = new Map<string, number[]>();
  for (const run of runs) for (const step of run) byLabel.set(step.label, [...(byLabel.get(step.label) ?? []), step.at]);
  return [...byLabel].map(([label, values]) => ({label, at: median(values)})).sort((a, b) => a.at - b.at);
}
