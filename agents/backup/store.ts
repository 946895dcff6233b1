import {existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {writeFileAtomic} from '../../lib/sys/atomic-file';
import {isAlive} from '../../lib/sys/proc';
import {checkChains, type SetEntry} from './chain';
import {parseManifest, SET_ID, type SetType} from './manifest';

// The backup directory:
//   <id>/manifest.json, <id>/data/ (mariabackup's files, or backup.tar.gz
//     beside xtrabackup_checkpoints), <id>/mariabackup.log   complete, verified sets
//   .partial-<id>.<pid>/    a set being written (never listed)
//   .verify-<id>.<pid>/     the copy a set is prepared in to verify it
//   .deleting-<id>/         a set retention is removing
//   .lock                   held while a backup is taken (pid, start time)
//   status.json             the scheduler's state (last run, armed where)
export const MANIFEST = 'manifest.json';
export const DATA = 'data';
export const LOG = 'mariabackup.log';
export const STATUS = 'status.json';
export const LOCK = '.lock';

export const setDir = (backupDir: string, id: string): string => join(backupDir, id);
export const partialName = (id: string, pid = process.pid): string => `.partial-${id}.${pid}`;
export const verifyName = (id: string, pid = process.pid): string => `.verify-${id}.${pid}`;

// Every set directory, sorted by time, with its state (chain checked).
export function listSets(backupDir: string): SetEntry[] {
  const entries: SetEntry[] = [];
  for (const name of readdirSync(backupDir).sort()) {
    if (!SET_ID.test(name)) continue;
    try {
      entries.push({id: name, state: 'good', manifest: parseManifest(readFileSync(join(backupDir, name, MANIFEST), 'utf8'), name)});
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      entries.push({id: name, state: 'damaged', problem: code === 'ENOENT' ? 'no manifest' : (error as Error).message});
    }
  }
  return checkChains(entries);
}

// Work directories (.partial-, .verify-) left by a process that is gone
// (killed): removed. Those of a live process are its own business.
export function removeLeftovers(backupDir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(backupDir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = /^\.(?:partial|verify)-.+\.(\d+)$/.exec(name) ?? /^\.deleting-.+$/.exec(name);
    if (!m) continue;
    if (m[1] !== undefined && isAlive(Number(m[1]))) continue;
    rmSync(join(backupDir, name), {recursive: true, force: true});
    removed.push(name);
  }
  return removed;
}

// Removes a set: renamed first, so a half-deleted set is never listed.
export function deleteSet(backupDir: string, id: string): void {
  const doomed = join(backupDir, `.deleting-${id}`);
  renameSync(setDir(backupDir, id), doomed);
  rmSync(doomed, {recursive: true, force: true});
}

// Bytes in a directory tree.
export function treeSize(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + treeSize(join(path, name)), 0);
}

// Files below `root`, relative, "/"-separated, sorted.
export function listFiles(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const relative = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(root, relative)).isDirectory()) out.push(...listFiles(root, relative));
    else out.push(relative);
  }
  return out;
}

// The scheduler's record in the backup directory (status.json), read by
// monitor depth 10 and `hacloud backup list`.
export interface RunRecord {
  type: SetType;
  result: 'success' | 'failure' | 'interrupted';
  startedAt: string;
  finishedAt: string;
  reason?: string;
  set?: string;
}

export interface SchedulerStatus {
  format: 1;
  instance: string;
  node: string;
  pid: number;
  armedAt: string;
  running?: {type: SetType; startedAt: string};
  lastRun?: RunRecord;
}

export function readStatus(backupDir: string): SchedulerStatus | undefined {
  const path = join(backupDir, STATUS);
  if (!existsSync(path)) return undefined;
  try {
    const status = JSON.parse(readFileSync(path, 'utf8')) as SchedulerStatus;
    return status.format === 1 ? status : undefined;
  } catch {
    return undefined;
  }
}

export const writeStatus = (backupDir: string, status: SchedulerStatus): void =>
  writeFileAtomic(join(backupDir, STATUS), `${JSON.stringify(status, null, 2)}\n`, {mode: 0o600});
