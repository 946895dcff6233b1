import type {SetEntry} from './chain';
import {formatMs} from './schedule';
import type {SchedulerStatus} from './store';

// `hacloud backup list`: one line a set, differentials under their full.
export function formatList(sets: readonly SetEntry[], status: SchedulerStatus | undefined): string {
  const lines: string[] = [];
  if (status) {
    const last = status.lastRun;
    lines.push(`scheduler: pid ${status.pid} on ${status.node}, armed ${status.armedAt}${status.running ? `, taking a ${status.running.type} set since ${status.running.startedAt}` : ''}`);
    if (last) lines.push(`last run: ${last.type} ${last.result} at ${last.finishedAt}${last.set ? ` (${last.set})` : ''}${last.reason ? `: ${last.reason}` : ''}`);
  }
  if (sets.length === 0) lines.push('no sets');
  for (const set of sets) {
    const m = set.manifest;
    const indent = m?.type === 'differential' ? '  └ ' : '';
    const detail = m
      ? `${m.type.padEnd(12)} LSN ${m.lsn.from}-${m.lsn.to}  ${humanBytes(m.sizeBytes)}  ${formatMs(m.durationMs)}${m.base ? `  base ${m.base}` : ''}`
      : '';
    lines.push(`${indent}${set.id}  ${set.state.padEnd(7)} ${detail}${set.problem ? `  (${set.problem})` : ''}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
