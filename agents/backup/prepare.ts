import {accessSync, constants, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {readCredentials, type Credentials} from '../../lib/clients/mysql-credentials';
import {ArgsError, GenericError, NotInstalledError, PermError} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import type {BackupConfig} from './config';
import type {Ctx} from './parameters';

export function requireBinary(ctx: Ctx): string {
  const binary = findBinary(ctx.params.binary, ctx.env.raw);
  if (!binary) throw new NotInstalledError(`${ctx.params.binary} not found (install the mariadb-backup package)`);
  return binary;
}

// The backup directory exists (its filesystem mounted: 5 otherwise) and
// root can write it (4 otherwise), proved by creating a file in it.
export function requireBackupDir(dir: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new NotInstalledError(`backup_dir ${dir} does not exist: is its filesystem mounted on this node?`);
  }
  if (!isDirectory) throw new NotInstalledError(`backup_dir ${dir} is not a directory`);
  const probe = join(dir, `.write-test.${process.pid}`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    writeFileSync(probe, '', {mode: 0o600});
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PermError(`backup_dir ${dir} is not writable (${code === 'EROFS' ? 'read-only filesystem' : code})`);
  } finally {
    rmSync(probe, {force: true});
  }
}

export function requireCredentials(ctx: Ctx): Credentials {
  const credentials = readCredentials(ctx.params.credentials);
  ctx.log.redact(credentials.password);
  return credentials;
}

// The credentials open a session on the server, as mariabackup's will: a
// refusal (access denied) is this node's file's fault (2); a server that
// does not answer fails the start (1).
export async function checkLogin(ctx: Ctx, credentials: Credentials): Promise<void> {
  const {withSession} = await import('../../lib/clients/mysql-session');
  try {
    await withSession(
      {socketPath: ctx.params.socket, user: credentials.user, password: credentials.password, deadline: ctx.deadline.slice({fraction: 0.3, ms: 10_000})},
      (s) => s.query('SELECT 1'),
    );
  } catch (error) {
    const {errno} = error as {errno?: number};
    const message = (error as Error).message;
    if (errno === ACCESS_DENIED) throw new ArgsError(`credentials ${ctx.params.credentials}: MariaDB refused the log-in as ${credentials.user} (${message})`);
    throw new GenericError(`cannot log in to MariaDB on ${ctx.params.socket} as ${credentials.user}: ${message}`);
  }
}

const ACCESS_DENIED = 1045;

export const configFromParams = (ctx: Ctx, binary: string): BackupConfig => ({
  instance: ctx.instance,
  backupDir: ctx.params.backup_dir,
  binary,
  credentials: ctx.params.credentials,
  socket: ctx.params.socket,
  datadir: ctx.params.datadir,
  compression: ctx.params.compression as BackupConfig['compression'],
  keepFull: ctx.params.keep_full,
  keepDifferential: ctx.params.keep_differential,
  fullIntervalMs: ctx.params.full_interval,
  differentialIntervalMs: ctx.params.differential_interval,
  graceMs: ctx.params.overdue_grace,
  backupTimeoutMs: ctx.params.backup_timeout,
});
