import {ArgsError} from '../../lib/ocf';
import {readSecretFile} from '../../lib/sys/secret-file';

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
