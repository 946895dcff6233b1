import type {Connection} from 'mysql2';
import type {Deadline} from '../ocf/deadline';

export interface SessionOptions {
  socketPath: string;
  user: string;
  password: string;
  deadline: Deadline;
}

// A failed connection or statement: the server's error number and text
// (which never hold the password), or what went wrong on the wire.
export class SessionError extends Error {
  constructor(
    message: string,
    readonly errno?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface Session {
  // Runs one statement with ? placeholders; resolves to the rows (or the OK result).
  query(sql: string, values?: readonly unknown[]): Promise<unknown>;
}

// Opens an authenticated session over the unix socket with mysql2 (loaded
// here, on first use: levels 10/20 and stop pay for it, level 0 never does),
// runs `work`, and always closes the connection. Everything is bounded by
// the deadline: on expiry the connection is destroyed and SessionError thrown.
export async function withSession<T>(options: SessionOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const connection = connect(options);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SessionError(`no answer from ${options.socketPath} before the deadline`, undefined, 'ETIMEDOUT')),
      Math.max(1, options.deadline.remainingMs()),
    );
  });
  // An error after the work is done (the server closing) must not crash the agent.
  connection.on('error', () => {});
  try {
    return await Promise.race([
      (async () => {
        await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(wrap(error)) : resolve())));
        return work({query: (sql, values) => query(connection, sql, values, options.deadline)});
      })(),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
    await close(connection, options.deadline);
  }
}

// COM_QUIT first (the server logs an aborted connection for a session that
// just drops), then the socket goes whatever the answer; a second at most.
// A session cut by the server (SHUTDOWN) or by an error ends at once.
async function close(connection: Connection, deadline: Deadline): Promise<void> {
  // Never logged in (refused, unreachable): nothing to say goodbye to.
  if (!connection.authorized) {
    connection.destroy();
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.min(1000, Math.max(1, deadline.remainingMs())));
    try {
      connection.end(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
  connection.destroy();
}

// SHUTDOWN through the protocol (MariaDB ≥ 10.0.4, MySQL ≥ 5.7.9): the
// server acknowledges, then closes every connection while InnoDB shuts down.
// A connection lost right after the statement counts as accepted.
export async function shutdownServer(options: SessionOptions): Promise<void> {
  await withSession(options, async (session) => {
    try {
      await session.query('SHUTDOWN');
    } catch (error) {
      if (error instanceof SessionError && LOST.has(error.code ?? '')) return;
      throw error;
    }
  });
}

const LOST = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ER_SERVER_SHUTDOWN']);

function connect(options: SessionOptions): Connection {
  return loadMysql2().createConnection({
    socketPath: options.socketPath,
    user: options.user,
    password: options.password,
    connectTimeout: Math.max(1, options.deadline.remainingMs()),
    multipleStatements: false,
    // Our own statements only; no LOAD DATA LOCAL.
    flags: ['-LOCAL_FILES'],
  });
}

// mysql2 (bundled; evaluated on first call only: require, not import()).
// Its helpers module probes for the optional `cardinal` package with a
// require() in a try block; inside the single executable that probe makes
// Node print a warning about non-builtin require() on stderr, which would
// land in Pacemaker's log at every depth-10 monitor. Only that warning is dropped.
let mysql2: typeof import('mysql2') | undefined;
function loadMysql2(): typeof import('mysql2') {
  if (mysql2) return mysql2;
  const listeners = process.listeners('warning');
  const filter = (warning: Error): void => {
    if (warning.message.includes('single-executable')) return;
    for (const listener of listeners) listener(warning);
  };
  process.removeAllListeners('warning');
  process.on('warning', filter);
  try {
    mysql2 = require('mysql2') as typeof import('mysql2');
    return mysql2;
  } finally {
    process.removeListener('warning', filter);
    for (const listener of listeners) process.on('warning', listener);
  }
}

function query(connection: Connection, sql: string, values: readonly unknown[] | undefined, deadline: Deadline): Promise<unknown> {
  return new Promise((resolve, reject) => {
    connection.query({sql, values: values as unknown[] | undefined, timeout: Math.max(1, deadline.remainingMs())}, (error, rows) =>
      error ? reject(wrap(error)) : resolve(rows),
    );
  });
}

function wrap(error: unknown): SessionError {
  const e = error as {message?: string; errno?: number; code?: string; sqlMessage?: string};
  const text = e.sqlMessage ?? e.message ?? String(error);
  return new SessionError(e.errno !== undefined && e.sqlMessage ? `error ${e.errno}: ${text}` : text, e.errno, e.code);
}
