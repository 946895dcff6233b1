import {ArgsError} from '../ocf/errors';
import {readSecretFile} from '../sys/secret-file';
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

// Reads the credentials of a root-only defaults file ([client] user=,
// password=). The checks are made on the open file, not the path, so a file
// swapped in between cannot slip through. Codes (documented in the agents):
// a missing or unusable file is OCF_ERR_ARGS (2: this node's copy is the
// problem, the other node may be fine); a file others may read is
// OCF_ERR_PERM (4: its permissions are wrong; a per-node hard error, not 6,
// which would stop the resource on every node). The password is never part
// of a message.
export function readCredentials(path: string): Credentials {
  const text = readSecretFile(path, 'credentials file');
  const options = parseDefaultsFile(text);
  if (!options.user) throw new ArgsError(`credentials file ${path} has no user= in a [client], [mysql] or [mariadb-client] group`);
  return {
    user: options.user,
    password: options.password ?? '',
    ...(options.socket ? {socket: options.socket} : {}),
    ignored: options.ignored,
  };
}
