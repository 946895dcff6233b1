import {closeSync, fstatSync, openSync, readFileSync} from 'node:fs';
import {ArgsError, PermError} from '../ocf/errors';

// Is a file with this owner and mode fit to hold a secret? Owned by one of
// `owners` (root by default), and nobody else may read or write it (0600 or 0400).
export function secretFileProblem(stat: {uid: number; mode: number; isFile: boolean}, owners: readonly number[] = [0]): string | undefined {
  if (!stat.isFile) return 'is not a regular file';
  if (!owners.includes(stat.uid)) {
    return `is owned by uid ${stat.uid}, not ${owners.map((uid) => (uid === 0 ? 'root' : `uid ${uid}`)).join(' or ')}`;
  }
  const mode = stat.mode & 0o777;
  if ((mode & 0o077) !== 0) return `has mode ${mode.toString(8).padStart(4, '0')}: group and others must have no access (chmod 0600)`;
  return undefined;
}

// Reads a file holding a secret (passwords, a cookie). The checks are made on
// the open file, not the path, so a file swapped in between cannot slip
// through. Missing or unreadable: OCF_ERR_ARGS (2: this node's copy is the
// problem, the other node may be fine); wrong owner or mode: OCF_ERR_PERM (4:
// a per-node hard error, not 6, which would stop the resource everywhere).
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
    const problem = secretFileProblem({uid: stat.uid, mode: stat.mode, isFile: stat.isFile()}, owners);
    if (problem) throw new PermError(`${what} ${path} ${problem}`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
