import {readdirSync, readFileSync} from 'node:fs';

// The pids /proc lists (processes, not threads); empty without /proc.
// `proc`: another mount of it (a fake tree in tests).
export function listPids(proc = '/proc'): number[] {
  try {
    return readdirSync(proc).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}

// A process's command name (15 characters at most), "?" when it is gone.
export function readComm(pid: number, proc = '/proc'): string {
  try {
    return readFileSync(`${proc}/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
