import {basename} from 'node:path';
import {quoteIdentifier} from '../../lib/clients/mysql-sql';
import {ipFamily} from '../../lib/sys/net/ip-address';
import type {Params} from './parameters';

// Options the agent sets itself and additional_parameters may not repeat
// (the server takes the last one, which would silently undo a parameter).
// The defaults-file options only work as the first argument.
const MANAGED = new Set([
  'datadir',
  'socket',
  'pid-file',
  'log-error',
  'user',
  'bind-address',
  'port',
  'defaults-file',
  'defaults-extra-file',
  'no-defaults',
  'defaults-group-suffix',
  'print-defaults',
  // MySQL's --daemonize forks: the pid we track would exit at once.
  'daemonize',
]);

const WRAPPERS = new Set(['mysqld_safe', 'mariadbd-safe', 'safe_mysqld', 'mysqld_multi', 'mariadbd-multi']);

// additional_parameters as argv words: split on whitespace, nothing else.
export const splitAdditional = (value: string | undefined): string[] => (value ?? '').split(/\s+/).filter(Boolean);

// "--skip-name_resolve=1" → "skip-name-resolve"; loose- prefixes count as the option.
const optionName = (word: string): string =>
  word.replace(/^--/, '').split('=')[0]!.toLowerCase().replace(/_/g, '-').replace(/^loose-/, '');

const IDENTIFIER = /^[A-Za-z0-9_$]{1,64}$/;

// "db.table" → ["db", "table"] when both are plain identifiers.
export function parseTableName(value: string): [string, string] | undefined {
  const parts = value.split('.');
  if (parts.length !== 2 || !parts.every((p) => IDENTIFIER.test(p))) return undefined;
  return parts as [string, string];
}

// `db`.`table` (quoteIdentifier checks again what parseTableName allowed).
export const quoteTable = ([db, table]: [string, string]): string => `${quoteIdentifier(db)}.${quoteIdentifier(table)}`;

const ACCOUNT = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
// sockaddr_un.sun_path holds 108 bytes with the terminating NUL.
const SOCKET_PATH_MAX = 107;

// Parameter checks the types cannot express (syntax only: no look at this node).
export function checkSyntax(p: Params): string[] {
  const problems: string[] = [];
  if (WRAPPERS.has(basename(p.binary))) {
    problems.push(`binary=${p.binary} is a wrapper script; give the server itself (/usr/sbin/mariadbd or mysqld): the agent runs it directly`);
  }
  for (const [name, value] of [['user', p.user], ['group', p.group]] as const) {
    if (!ACCOUNT.test(value)) problems.push(`${name}=${value} is not a user or group name`);
  }
  if (Buffer.byteLength(p.socket) > SOCKET_PATH_MAX) problems.push(`socket=${p.socket} is longer than ${SOCKET_PATH_MAX} bytes, the limit of a unix socket path`);
  if (p.bind_address !== undefined) {
    const bad = p.bind_address.split(',').filter((a) => a !== '*' && !ipFamily(a.trim()));
    if (bad.length > 0) problems.push(`bind_address=${p.bind_address}: ${bad.join(', ')} is not an IP address or *`);
  }
  for (const word of splitAdditional(p.additional_parameters)) {
    if (!word.startsWith('--') || word.length < 3) problems.push(`additional_parameters: ${word} is not a --option`);
    else if (MANAGED.has(optionName(word))) problems.push(`additional_parameters: ${word.split('=')[0]} is set by the agent; use its parameter instead`);
  }
  for (const [name, value] of [['test_table', p.test_table], ['heartbeat_table', p.heartbeat_table]] as const) {
    if (!parseTableName(value)) problems.push(`${name}=${value} is not database.table (letters, digits, _ and $)`);
  }
  return problems;
}

export interface ServerPaths {
  config: string;
  datadir: string;
  socket: string;
  pid: string;
  log: string;
  user: string;
  bindAddress?: string | undefined;
  port: number;
  additional?: string | undefined;
}

// The server's argv (after the program): --defaults-file first, as the server requires.
export function serverArgs(s: ServerPaths): string[] {
  return [
    `--defaults-file=${s.config}`,
    `--datadir=${s.datadir}`,
    `--socket=${s.socket}`,
    `--pid-file=${s.pid}`,
    `--log-error=${s.log}`,
    `--user=${s.user}`,
    ...(s.bindAddress ? [`--bind-address=${s.bindAddress}`] : []),
    `--port=${s.port}`,
    ...splitAdditional(s.additional),
  ];
}

export const serverPaths = (p: Params): ServerPaths => ({
  config: p.config,
  datadir: p.datadir,
  socket: p.socket,
  pid: p.pid,
  log: p.log,
  user: p.user,
  bindAddress: p.bind_address,
  port: p.port,
  additional: p.additional_parameters,
});

// mariadb-install-db's argv for an empty data directory: root may log in
// through the unix socket only (no password to create, none to leak).
export const installDbArgs = (s: {config: string; datadir: string; user: string}): string[] => [
  `--defaults-file=${s.config}`,
  `--datadir=${s.datadir}`,
  `--user=${s.user}`,
  '--auth-root-authentication-method=socket',
  '--skip-test-db',
];

// Process names the server may run under (/proc comm, argv[0]).
export const serverNames = (binary: string): string[] => [...new Set([basename(binary), 'mariadbd', 'mysqld'])];
