import {readFileSync} from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  // Start time in clock ticks after boot: with the pid, identifies a process across pid reuse.
  startTime: number;
}

// Parses /proc/<pid>/stat; comm may hold spaces and parentheses, so split at the last ')'.
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const field = (n: number) => Number(rest[n - 3]);
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    startTime: field(22),
  };
}

// /proc/<pid>/stat of a live process; undefined when gone or a zombie.
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return stat && stat.state !== 'Z' && stat.state !== 'X' ? stat : undefined;
  } catch {
    return undefined;
  }
}

// argv of a process (empty for kernel threads and gone processes).
export function readCmdline(pid: number, proc = '/proc'): string[] {
  try {
    const args = readFileSync(`${proc}/${pid}/cmdline`, 'utf8').split('\0');
    if (args.at(-1) === '') args.pop();
    return args;
  } catch {
    return [];
  }
}

export const isAlive = (pid: number): boolean => readProcStat(pid) !== undefined;
