import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {Deadline, monotonicMs} from '../../lib/ocf/deadline';
import type {Logger} from '../../lib/ocf/log';
import {fsyncDirectory, writeFileAtomic} from '../../lib/sys/atomic-file';
import {sha256File, sha256Text} from '../../lib/sys/checksum';
import {describeFailure, run} from '../../lib/sys/exec';
import {acquireLock} from '../../lib/sys/lockfile';
import {latestFull, planRetention} from './chain';
import type {BackupConfig} from './config';
import {backupArgs, BackupToolError, CHECKPOINTS, mariabackup, mariabackupVersion, prepareChain, TARBALL} from './mariabackup';
import {fileListText, parseCheckpoints, setId, type FileEntry, type Manifest, type SetType} from './manifest';
import {DATA, deleteSet, LOCK, listFiles, listSets, LOG, MANIFEST, partialName, setDir, verifyName} from './store';

export interface TakeOptions {
  log: Logger;
  // Aborts mariabackup (TERM, then KILL) and removes the partial set.
  signal?: AbortSignal;
  now?: () => Date;
}

// Takes one set: mariabackup --backup into .partial-<id>.<pid>/data,
// checks its LSN range against the base, prepares a copy (the proof that
// it restores), compresses, checksums every file, writes manifest.json and
// only then renames the directory to <id>. Any failure or an abort removes
// the partial set: a set with a final name is complete and verified.
// Retention runs after a success.
export async function takeBackup(config: BackupConfig, type: SetType, options: TakeOptions): Promise<Manifest> {
  const {log, signal} = options;
  const lock = acquireLock(join(config.backupDir, LOCK));
  const startedAt = (options.now ?? (() => new Date()))();
  const id = setId(type, startedAt);
  const partial = join(config.backupDir, partialName(id));
  const verify = join(config.backupDir, verifyName(id));
  const deadline = Deadline.after(config.backupTimeoutMs);
  const t0 = monotonicMs();
  try {
    const base = type === 'differential' ? latestFull(listSets(config.backupDir)) : undefined;
    if (type === 'differential' && !base) throw new Error('no good full set to base a differential on: take a full backup first');
    mkdirSync(partial, {mode: 0o700});
    const data = join(partial, DATA);
    const args = backupArgs(config, data, base ? join(setDir(config.backupDir, base.id), DATA) : undefined);
    log.info(`${type} backup ${id} started${base ? ` (base ${base.id}, LSN ${base.lsn.to})` : ''}: ${config.binary} ${args.join(' ')}`);
    let output = '';
    try {
      const result = await mariabackup(config.binary, args, deadline, signal);
      output = result.stderr;
    } catch (error) {
      if (error instanceof BackupToolError) writeFileSync(join(partial, LOG), error.result.stderr);
      throw error;
    }
    writeFileSync(join(partial, LOG), output, {mode: 0o600});
    const backupMs = monotonicMs() - t0;
    const checkpoints = parseCheckpoints(readFileSync(join(data, CHECKPOINTS), 'utf8'));
    const expected = type === 'full' ? 'full-backuped' : 'incremental';
    if (checkpoints.backupType !== expected) throw new Error(`mariabackup wrote a ${checkpoints.backupType} set, expected ${expected}`);
    if (base && checkpoints.lsn.from !== base.lsn.to) {
      throw new Error(`differential starts at LSN ${checkpoints.lsn.from}, but its full set ${base.id} ends at ${base.lsn.to}`);
    }

    const verifyStarted = monotonicMs();
    const chain = base ? [join(setDir(config.backupDir, base.id), DATA), data] : [data];
    await prepareChain(config.binary, chain, verify, deadline, signal);
    rmSync(verify, {recursive: true, force: true});
    const verifyMs = monotonicMs() - verifyStarted;

    if (config.compression === 'gzip') await compress(data, deadline, signal);
    const files: FileEntry[] = listFiles(partial).map((path) => {
      const full = join(partial, path);
      return {path, size: sizeOf(full), sha256: sha256File(full)};
    });
    const manifest: Manifest = {
      format: 1,
      id,
      type,
      base: base?.id ?? null,
      node: hostname(),
      started: startedAt.toISOString(),
      finished: new Date().toISOString(),
      backupMs: Math.round(backupMs),
      durationMs: Math.round(monotonicMs() - t0),
      lsn: checkpoints.lsn,
      sizeBytes: files.reduce((sum, f) => sum + f.size, 0),
      compression: config.compression,
      mariabackup: await mariabackupVersion(config.binary, deadline),
      verification: {method: 'prepare-copy', ms: Math.round(verifyMs)},
      files,
      checksum: sha256Text(fileListText(files)),
    };
    if (signal?.aborted) throw new Error('interrupted');
    writeFileAtomic(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {mode: 0o600});
    renameSync(partial, setDir(config.backupDir, id));
    fsyncDirectory(config.backupDir);
    log.info(`${type} backup ${id} complete and verified: ${manifest.sizeBytes} bytes, LSN ${manifest.lsn.from}-${manifest.lsn.to}, ${manifest.durationMs} ms`);
    applyRetention(config, log);
    return manifest;
  } finally {
    rmSync(partial, {recursive: true, force: true});
    rmSync(verify, {recursive: true, force: true});
    lock.release();
  }
}

function applyRetention(config: BackupConfig, log: Logger): void {
  for (const id of planRetention(listSets(config.backupDir), config.keepFull, config.keepDifferential)) {
    try {
      deleteSet(config.backupDir, id);
      log.info(`retention: removed set ${id}`);
    } catch (error) {
      log.warn(`retention: could not remove set ${id}: ${(error as Error).message}`);
    }
  }
}

// mariabackup's files into data/backup.tar.gz; xtrabackup_checkpoints stays
// beside it, as --incremental-basedir reads it there.
async function compress(data: string, deadline: Deadline, signal?: AbortSignal): Promise<void> {
  const entries = readdirSync(data);
  const result = await run('tar', ['-C', data, '-czf', join(data, TARBALL), '--remove-files', '--', ...entries.filter((e) => e !== CHECKPOINTS)], {
    deadline,
    ...(signal ? {signal} : {}),
  });
  if (!result.ok) throw new Error(`compressing the set: ${describeFailure(result)}`);
}

const sizeOf = (path: string): number => statSync(path).size;
