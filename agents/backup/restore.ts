import {chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {Deadline} from '../../lib/ocf/deadline';
import {lookupAccount} from '../../lib/sys/accounts';
import {sha256File, sha256Text} from '../../lib/sys/checksum';
import {restoreChain} from './chain';
import {mariabackup, moveBackArgs, prepareChain} from './mariabackup';
import {fileListText, type Manifest} from './manifest';
import {DATA, listFiles, listSets, setDir, verifyName} from './store';

// Files of a set that differ from its manifest (missing, extra, other size
// or checksum), as "path: what" lines; empty when the set is intact.
export function checkFiles(backupDir: string, manifest: Manifest): string[] {
  const dir = setDir(backupDir, manifest.id);
  const problems: string[] = [];
  if (sha256Text(fileListText(manifest.files)) !== manifest.checksum) problems.push('manifest: file list does not match its checksum');
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of listFiles(dir)) if (!listed.has(path) && path !== 'manifest.json') problems.push(`${path}: not in the manifest`);
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) problems.push(`${file.path}: missing`);
    else if (statSync(path).size !== file.size) problems.push(`${file.path}: size ${statSync(path).size}, manifest says ${file.size}`);
    else if (sha256File(path) !== file.sha256) problems.push(`${file.path}: checksum differs from the manifest`);
  }
  return problems;
}

// The chain of `id` with every file checked; throws naming the first
// damaged set (a restore never starts from a set that changed on disk).
export function intactChain(backupDir: string, id: string): Manifest[] {
  const chain = restoreChain(listSets(backupDir), id);
  for (const manifest of chain) {
    const problems = checkFiles(backupDir, manifest);
    if (problems.length > 0) throw new Error(`set ${manifest.id} is damaged: ${problems.slice(0, 3).join('; ')}`);
  }
  return chain;
}

export interface VerifyReport {
  chain: string[];
  ms: number;
}

// `hacloud backup verify`: checksums of the set (and its full), then a
// prepare of the chain on a copy in the backup directory.
export async function verifySet(binary: string, backupDir: string, id: string, timeoutMs: number): Promise<VerifyReport> {
  const started = Date.now();
  const chain = intactChain(backupDir, id);
  const work = join(backupDir, verifyName(id));
  try {
    await prepareChain(binary, chain.map((m) => join(setDir(backupDir, m.id), DATA)), work, Deadline.after(timeoutMs));
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
  return {chain: chain.map((m) => m.id), ms: Date.now() - started};
}

export interface RestoreOptions {
  binary: string;
  backupDir: string;
  id: string;
  target: string;
  user: string;
  group: string;
  timeoutMs: number;
}

// Restores a point (a full, or a full and one differential) into an empty
// data directory: the chain checked, prepared in a work directory next to
// the target (same filesystem, so --move-back renames), moved in and given
// to the server's user. Refuses a target holding anything but lost+found.
export async function restoreSet(o: RestoreOptions): Promise<Manifest[]> {
  const deadline = Deadline.after(o.timeoutMs);
  refuseNonEmpty(o.target);
  const chain = intactChain(o.backupDir, o.id);
  const user = await lookupAccount('passwd', o.user, deadline);
  const group = await lookupAccount('group', o.group, deadline);
  if (!user || !group) throw new Error(`user ${o.user} or group ${o.group} does not exist`);
  mkdirSync(o.target, {recursive: true, mode: 0o750});
  const work = mkdtempSync(join(dirname(o.target), '.hacloud-restore-'));
  try {
    const prepared = await prepareChain(o.binary, chain.map((m) => join(setDir(o.backupDir, m.id), DATA)), work, deadline);
    await mariabackup(o.binary, moveBackArgs(prepared, o.target), deadline);
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
  chownTree(o.target, user.id, group.id);
  return chain;
}

function refuseNonEmpty(target: string): void {
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`target ${target}: ${(error as Error).message}`);
  }
  const present = entries.filter((e) => e !== 'lost+found');
  if (present.length > 0) throw new Error(`target ${target} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', ...' : ''}): restore only into an empty data directory`);
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}
