import {closeSync, openSync, readSync, statSync} from 'node:fs';

// Size of a file now (0 when missing): where this start's log lines begin.
export function logSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const MAX_READ = 64 * 1024;

// The log written since `offset` (its last 64 KiB at most).
export function readLogSince(path: string, offset: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const from = Math.max(offset <= size ? offset : 0, size - MAX_READ);
    const buffer = Buffer.alloc(size - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// What an operator needs from a failed start's log: its [ERROR] lines (or,
// without any, its last lines), at most `max`, without the timestamp prefix.
export function summariseErrors(text: string, max = 3): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /\[ERROR\]|^ERROR|\bFatal\b|Aborting/i.test(l));
  const chosen = (errors.length > 0 ? errors : lines).slice(-max);
  // "2026-12-02  4:03:13 0 [ERROR] ..." → "[ERROR] ..."
  return chosen.map((l) => l.replace(/^\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}:\d{2}\s+\d+\s+/, '')).join(' | ');
}
