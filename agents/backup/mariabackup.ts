import {cpSync, existsSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import type {Deadline} from '../../lib/ocf/deadline';
import {describeFailure, run, type RunResult} from '../../lib/sys/exec';
import type {BackupConfig} from './config';

// mariabackup's argv. Credentials only through --defaults-extra-file (which
// must come first), never --password: argv is world-readable in /proc.
export function backupArgs(c: Pick<BackupConfig, 'credentials' | 'datadir' | 'socket'>, target: string, incrementalBase?: string): string[] {
  return [
    `--defaults-extra-file=${c.credentials}`,
    '--backup',
    `--target-dir=${target}`,
    `--datadir=${c.datadir}`,
    `--socket=${c.socket}`,
    ...(incrementalBase === undefined ? [] : [`--incremental-basedir=${incrementalBase}`]),
  ];
}

// --prepare of a full copy, or of a differential applied onto it. No
// defaults files: the backup's own backup-my.cnf says what InnoDB needs.
export const prepareArgs = (target: string, incremental?: string): string[] => [
  '--no-defaults',
  '--prepare',
  `--target-dir=${target}`,
  ...(incremental === undefined ? [] : [`--incremental-dir=${incremental}`]),
];

export const moveBackArgs = (prepared: string, datadir: string): string[] => ['--no-defaults', '--move-back', `--target-dir=${prepared}`, `--datadir=${datadir}`];

export class BackupToolError extends Error {
  constructor(
    message: string,
    readonly result: RunResult,
  ) {
    super(message);
    this.name = 'BackupToolError';
  }
}

// Runs mariabackup; throws with its last lines on failure.
export async function mariabackup(binary: string, args: string[], deadline: Deadline, signal?: AbortSignal): Promise<RunResult> {
  const result = await run(binary, args, {deadline, ...(signal ? {signal} : {})});
  if (!result.ok) throw new BackupToolError(signal?.aborted ? `${args[1] ?? 'mariabackup'} interrupted` : describeFailure(result), result);
  return result;
}

export async function mariabackupVersion(binary: string, deadline: Deadline): Promise<string> {
  const result = await run(binary, ['--version'], {deadline});
  return (result.stderr || result.stdout).trim().split('\n')[0] ?? 'unknown';
}

// A set's data as mariabackup's own directory at `dest`: copied, or
// extracted from backup.tar.gz.
export async function materialise(dataDir: string, dest: string, deadline: Deadline, signal?: AbortSignal): Promise<void> {
  if (isCompressed(dataDir)) {
    mkdirSync(dest, {recursive: true, mode: 0o700});
    const result = await run('tar', ['-C', dest, '-xzf', join(dataDir, TARBALL)], {deadline, ...(signal ? {signal} : {})});
    if (!result.ok) throw new Error(describeFailure(result));
    cpSync(join(dataDir, CHECKPOINTS), join(dest, CHECKPOINTS));
  } else {
    cpSync(dataDir, dest, {recursive: true});
  }
}

export const TARBALL = 'backup.tar.gz';
export const CHECKPOINTS = 'xtrabackup_checkpoints';

export const isCompressed = (dataDir: string): boolean => existsSync(join(dataDir, TARBALL));

// Prepares the chain (a full, then optionally a differential applied to it)
// in `work`, from copies, and returns the prepared directory. What restore
// moves into a datadir, and what verification proves a set can become.
export async function prepareChain(binary: string, dataDirs: readonly string[], work: string, deadline: Deadline, signal?: AbortSignal): Promise<string> {
  const [full, differential] = dataDirs;
  if (full === undefined) throw new Error('no full set to prepare');
  mkdirSync(work, {recursive: true, mode: 0o700});
  const prepared = join(work, 'full');
  await materialise(full, prepared, deadline, signal);
  await mariabackup(binary, prepareArgs(prepared), deadline, signal);
  if (differential !== undefined) {
    const incremental = join(work, 'differential');
    await materialise(differential, incremental, deadline, signal);
    await mariabackup(binary, prepareArgs(prepared, incremental), deadline, signal);
  }
  return prepared;
}
