import {accessSync, chownSync, closeSync, constants, lstatSync, openSync, readdirSync, rmSync, statSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {GenericError, NotInstalledError, PermError} from '../../lib/ocf';
import {lookupAccount, type Account} from '../../lib/sys/accounts';
import {findBinary} from '../../lib/sys/binaries';
import {ensureDirectory} from '../../lib/sys/directories';
import {describeFailure, run} from '../../lib/sys/exec';
import type {Ctx} from './parameters';
import {installDbArgs} from './server-args';

export interface Owner {
  user: Account;
  group: Account;
}

// user and group of the parameters; missing on this node: not installed (5),
// as the package that creates them is missing.
export async function lookupOwner(ctx: Ctx): Promise<Owner> {
  const user = await lookupAccount('passwd', ctx.params.user, ctx.deadline);
  if (!user) throw new NotInstalledError(`user ${ctx.params.user} does not exist on this node`);
  const group = await lookupAccount('group', ctx.params.group, ctx.deadline);
  if (!group) throw new NotInstalledError(`group ${ctx.params.group} does not exist on this node`);
  return {user, group};
}

export function requireServerBinary(ctx: Ctx): string {
  const binary = findBinary(ctx.params.binary, ctx.env.raw);
  if (!binary) throw new NotInstalledError(`server binary ${ctx.params.binary} not found or not executable`);
  return binary;
}

export function requireConfig(ctx: Ctx): void {
  try {
    accessSync(ctx.params.config, constants.R_OK);
  } catch (error) {
    throw new NotInstalledError(`config ${ctx.params.config} is not readable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

// The data directory must be there (the DRBD filesystem mounted), belong to
// the server's user and hold the system database; with enable_creation an
// empty one is initialised first.
export async function prepareDatadir(ctx: Ctx, owner: Owner): Promise<void> {
  const datadir = ctx.params.datadir;
  let stat;
  try {
    stat = statSync(datadir);
  } catch {
    throw new NotInstalledError(`datadir ${datadir} does not exist: is its filesystem (the DRBD device) mounted on this node?`);
  }
  if (!stat.isDirectory()) throw new NotInstalledError(`datadir ${datadir} is not a directory`);
  const initialised = isDirectory(join(datadir, 'mysql'));
  if (!initialised) {
    const entries = readdirSync(datadir).filter((e) => e !== 'lost+found');
    if (!ctx.params.enable_creation) {
      throw new NotInstalledError(
        `datadir ${datadir} holds no mysql/ system database: is the right filesystem mounted? (set enable_creation=true to initialise an empty one)`,
      );
    }
    if (entries.length > 0) {
      throw new NotInstalledError(
        `datadir ${datadir} has no mysql/ system database but holds ${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ' ...' : ''}: not initialising over existing files`,
      );
    }
    await initialise(ctx, owner);
    return;
  }
  if (stat.uid !== owner.user.id) {
    throw new PermError(
      `datadir ${datadir} belongs to uid ${stat.uid}, not to ${owner.user.name} (uid ${owner.user.id}): chown -R ${owner.user.name}:${owner.group.name} ${datadir}`,
    );
  }
}

async function initialise(ctx: Ctx, owner: Owner): Promise<void> {
  const datadir = ctx.params.datadir;
  const program = findBinary(ctx.params.install_db_binary, ctx.env.raw) ?? findBinary('mysql_install_db', ctx.env.raw);
  if (!program) throw new NotInstalledError(`enable_creation: ${ctx.params.install_db_binary} not found`);
  chownSync(datadir, owner.user.id, owner.group.id);
  ctx.log.info(`initialising an empty datadir ${datadir} with ${program}`);
  const result = await run(program, installDbArgs({config: ctx.params.config, datadir, user: ctx.params.user}), {deadline: ctx.deadline.slice({fraction: 0.7})});
  if (!result.ok || !isDirectory(join(datadir, 'mysql'))) {
    throw new GenericError(`enable_creation: initialising ${datadir} failed: ${describeFailure(result)}`);
  }
}

// Runtime directories a package may not have created (Debian's creates
// neither /var/log/mysql nor, without systemd, /run/mysqld): created owned
// by user:group. Directories that exist are left as they are (/tmp must not
// change owner). The log file is created owned by the user, so the server
// can reopen it after dropping root.
export function prepareRuntimePaths(ctx: Ctx, owner: Owner): void {
  const {socket, pid, log} = ctx.params;
  const dirs: [string, number][] = [
    [dirname(socket), 0o755],
    [dirname(pid), 0o755],
    [dirname(log), 0o750],
  ];
  for (const [dir, mode] of dirs) {
    if (isDirectory(dir)) continue;
    ensureDirectory(dir, mode);
    chownSync(dir, owner.user.id, owner.group.id);
    ctx.log.info(`created ${dir} (${owner.user.name}:${owner.group.name})`);
  }
  try {
    closeSync(openSync(log, 'wx', 0o640));
    chownSync(log, owner.user.id, owner.group.id);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

// Removes a socket file no server answers on (a crash left it behind).
export function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) rmSync(path, {force: true});
  } catch {
    // nothing there
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
