// Per-node logs: a kernel log with DRBD's message texts ("[   27.296307]
// drbd r0: ..." as dmesg shows them) and an events2 log (timestamped
// create/change/destroy/call/response lines) that `drbdsetup events2`
// without --now follows.
import {appendFileSync, mkdirSync} from 'node:fs';
import {dirname} from 'node:path';
import {eventsLogPath, kernelLogPath} from './store';

// Seconds since boot as printk prints them: "[%5lu.%06lu]".
export function printkTime(sinceBootMs: number): string {
  const us = Math.max(0, Math.round(sinceBootMs * 1000));
  const s = Math.floor(us / 1_000_000);
  return `[${String(s).padStart(5, ' ')}.${String(us % 1_000_000).padStart(6, '0')}]`;
}

// events2 --timestamps: 2026-11-25T06:09:13.548011+00:00 (local time and offset).
export function eventsTime(ms: number): string {
  const d = new Date(ms);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(ms + offsetMin * 60_000);
  const iso = local.toISOString().replace('Z', '');
  const micro = `${iso}${String(Math.floor((ms % 1) * 1000)).padStart(3, '0')}`;
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${micro}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// Appends kernel log lines for a node.
export function appendKernelLog(stateDir: string, node: string, sinceBootMs: number, lines: readonly string[]): void {
  if (lines.length === 0) return;
  const path = kernelLogPath(stateDir, node);
  mkdirSync(dirname(path), {recursive: true});
  const stamp = printkTime(sinceBootMs);
  appendFileSync(path, lines.map((l) => `${stamp} ${l}\n`).join(''));
}

// Appends events2 lines for a node, each stored as "<timestamp> <line>".
export function appendEvents(stateDir: string, node: string, ms: number, lines: readonly string[]): void {
  if (lines.length === 0) return;
  const path = eventsLogPath(stateDir, node);
  mkdirSync(dirname(path), {recursive: true});
  const stamp = eventsTime(ms);
  appendFileSync(path, lines.map((l) => `${stamp} ${l}\n`).join(''));
}
