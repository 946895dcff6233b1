import {readFileSync, rmSync} from 'node:fs';
import {writeFileAtomic} from './atomic-file';

// A pidfile we write: the pid on the first line (as every tool expects),
// the process start time on the second, so a reused pid is never mistaken for ours.
export interface PidRecord {
  pid: number;
  startTime?: number;
}

export function readPidfile(path: string): PidRecord | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const [first, second] = text.split('\n');
  const pid = Number(first?.trim());
  if (!Number.isSafeInteger(pid) || pid <= 1) return undefined;
  const startTime = Number(second?.trim());
  return Number.isSafeInteger(startTime) && second?.trim() ? {pid, startTime} : {pid};
}

// Written to a temporary name and renamed, so a reader never sees half a file.
export function writePidfile(path: string, record: PidRecord): void {
  writeFileAtomic(path, `${record.pid}\n${record.startTime ?? ''}\n`, {sync: false});
}

export const removePidfile = (path: string): void => rmSync(path, {force: true});
