import {requireRoot} from '../../lib/ocf/privileges';
import {chmodSync, chownSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {NotInstalledError, PermError} from '../../lib/ocf';
import {lookupAccount, type Account} from '../../lib/sys/accounts';
import {findBinary} from '../../lib/sys/binaries';
import {ensureDirectory} from '../../lib/sys/directories';
import type {Ctx} from './parameters';
import {readCookie} from './secret-files';
import type {ServerPaths} from './server-env';

export interface Owner {
  uid: number;
  gid: number;
  name: string;
}


export function requireServer(ctx: Ctx): string {
  const server = findBinary(ctx.params.server, ctx.env.raw);
  if (!server) throw new NotInstalledError(`server script ${ctx.params.server} not found or not executable (is rabbitmq-server installed?)`);
  return server;
}

export function requireCtl(ctx: Ctx): string {
  const ctl = findBinary(ctx.params.ctl, ctx.env.raw);
  if (!ctl) throw new NotInstalledError(`rabbitmqctl ${ctx.params.ctl} not found or not executable`);
  return ctl;
}

// The server's user; missing on this node: not installed (5).
export async function lookupOwner(ctx: Ctx): Promise<Owner> {
  const user: Account | undefined = await lookupAccount('passwd', ctx.params.user, ctx.deadline);
  if (!user || user.gid === undefined) throw new NotInstalledError(`user ${ctx.params.user} does not exist on this node`);
  return {uid: user.id, gid: user.gid, name: user.name};
}

// data_dir must exist (its filesystem mounted) and belong to the user; it is
// never created or emptied here. The log directory is created when missing.
export function prepareDirectories(ctx: Ctx, owner: Owner): void {
  const dataDir = ctx.params.data_dir;
  let stat;
  try {
    stat = statSync(dataDir);
  } catch {
    throw new NotInstalledError(`data_dir ${dataDir} does not exist: is its filesystem mounted on this node?`);
  }
  if (!stat.isDirectory()) throw new NotInstalledError(`data_dir ${dataDir} is not a directory`);
  if (stat.uid !== owner.uid) {
    throw new PermError(`data_dir ${dataDir} belongs to uid ${stat.uid}, not to ${owner.name} (uid ${owner.uid}): chown -R ${owner.name} ${dataDir}`);
  }
  ensureDirectory(ctx.params.log_dir, 0o750);
  const log = statSync(ctx.params.log_dir);
  if (log.uid !== owner.uid) chownSync(ctx.params.log_dir, owner.uid, owner.gid);
}

// The private HOME of the node and of rabbitmqctl with .erlang.cookie, a
// copy of cookie_file owned by the server's user (mode 0400): Erlang reads
// the cookie from there, so it is never in a command line or environment.
export function installCookie(ctx: Ctx, owner: Owner, paths: ServerPaths): void {
  const cookie = readCookie(ctx.params.cookie_file, owner.uid);
  ensureDirectory(paths.home, 0o700);
  chownSync(paths.home, owner.uid, owner.gid);
  chmodSync(paths.home, 0o700);
  const file = join(paths.home, '.erlang.cookie');
  rmSync(file, {force: true});
  writeFileSync(file, cookie, {mode: 0o400, flag: 'wx'});
  chownSync(file, owner.uid, owner.gid);
}

export {requireRoot};
