import {closeSync, fstatSync, openSync, readFileSync} from 'node:fs';
import {credentialsFileProblem} from '../../lib/clients/mysql-credentials';
import {ArgsError, PermError} from '../../lib/ocf';

// Reads a secret from a file that only its owner may read. The checks are
// made on the open file, so a file swapped in between cannot slip through.
// Missing or unreadable: 2 (this node's copy); readable by others: 4.
// The content is never part of a message.
export function readSecretFile(path: string, what: string, owners: readonly number[] = [0]): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ArgsError(`${what} ${path}: ${code === 'ENOENT' ? 'does not exist' : (error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    // The owner check of credentialsFileProblem is root; other owners allowed here are checked first.
    const problem = credentialsFileProblem({uid: owners.includes(stat.uid) ? 0 : stat.uid, mode: stat.mode, isFile: stat.isFile()});
    if (problem) throw new PermError(`${what} ${path} ${problem}`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

// The Erlang cookie: one line of printable ASCII without spaces (what
// Erlang accepts from .erlang.cookie), owned by root or the server's user.
export function readCookie(path: string, serverUid: number): string {
  const cookie = readSecretFile(path, 'cookie file', [0, serverUid]).trim();
  if (cookie === '') throw new ArgsError(`cookie file ${path} is empty`);
  if (!/^[\x21-\x7e]+$/.test(cookie)) throw new ArgsError(`cookie file ${path} holds more than one line of printable ASCII`);
  return cookie;
}

// The check user's password: the first line of a root-only file.
export function readPassword(path: string): string {
  const password = readSecretFile(path, 'password file').split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (password === '') throw new ArgsError(`password file ${path} is empty`);
  return password;
}
