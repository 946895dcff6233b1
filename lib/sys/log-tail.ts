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

// The log written since `offset` (its last 64 KiB at most; all of it when the
// file was truncated or rotated since).
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
