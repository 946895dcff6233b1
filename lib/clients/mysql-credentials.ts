import {closeSync, fstatSync, openSync, readFileSync} from 'node:fs';
import {ArgsError, PermError} from '../ocf/errors';
import {parseDefaultsFile} from './mysql-defaults-file';

export interface Credentials {
  user: string;
  password: string;
  // socket= from the file, for information: the agent always talks to the
  // socket of the server it manages.
  socket?: string;
  // !include lines the reader skipped.
  ignored: string[];
}

// Is a file with this owner and mode fit to hold a password? Root's, and
// nobody else may read or write it (0600 or 0400).
export function credentialsFileProblem(stat: {uid: number; mode: number; isFile: boolean}): string | undefined {
  if (!stat.isFile) return 'is not a regular file';
  if (stat.uid !== 0) return `is owned by uid ${stat.uid}, not root`;
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) return `has mode ${mode.toString(8).padStart(4, '0')}: group and others must have no access (chmod 0600)`;
  return undefined;
}

// Reads the credentials of a root-only defaults file ([client] user=,
// password=). The checks are made on the open file, not the path, so a file
// swapped in between cannot slip through. Codes (documented in the agents):
// a missing or unusable file is OCF_ERR_ARGS (2: this node's copy is the
// problem, the other node may be fine); a file others may read is
// OCF_ERR_PERM (4: its permissions are wrong; a per-node hard error, not 6,
// which would stop the resource on every node). The password is never part
// of a message.
export function readCredentials(path: string): Credentials {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new ArgsError(`credentials file ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message}`);
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    const problem = credentialsFileProblem({uid: stat.uid, mode: stat.mode, isFile: stat.isFile()});
    if (problem) throw new PermError(`credentials file ${path} ${problem}`);
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const options = parseDefaultsFile(text);
  if (!options.user) throw new ArgsError(`credentials file ${path} has no user= in a [client], [mysql] or [mariadb-client] group`);
  return {
    user: options.user,
    password: options.password ?? '',
    ...(options.socket ? {socket: options.socket} : {}),
    ignored: options.ignored,
  };
}
