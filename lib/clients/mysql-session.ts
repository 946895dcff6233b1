import type {Deadline} from '../ocf/deadline';
import {describePing, openSession, type PingResult} from './mysql-ping';
import type {QueryResult} from './mysql-resultset';

export interface SessionOptions {
  socketPath: string;
  user: string;
  password: string;
  deadline: Deadline;
}

// A failed log-in or statement: the server's error number and text (which
// never hold the password), or what went wrong on the wire. `ping` is how
// the connection went when no session opened (dead, hung, refusing).
export class SessionError extends Error {
  constructor(
    message: string,
    readonly errno?: number,
    readonly code?: string,
    readonly ping?: PingResult,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface Session {
  // Runs one statement built by the caller (mysql-sql.ts literals, no
  // placeholders); resolves to the OK packet or the result set, throws SessionError.
  query(sql: string): Promise<Exclude<QueryResult, {kind: 'error'}>>;
}

// Logs in over the unix socket (the depth-0 ping's connection, see
// openSession), runs `work`, and always ends with COM_QUIT. Everything is
// bounded by the deadline: once it passes, the connection is closed and the
// statement waiting fails with code ETIMEDOUT.
export async function withSession<T>(options: SessionOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const opened = await openSession(options.socketPath, options.deadline, {user: options.user, password: options.password});
  if (opened.kind !== 'session') throw notOpened(opened);
  const {session} = opened;
  try {
    return await work({
      async query(sql) {
        const result = await session.query(sql);
        if (result.kind === 'error') throw new SessionError(`error ${result.code}: ${result.message}`, result.code, result.sqlState);
        if (result.kind === 'lost') throw new SessionError(result.reason, undefined, result.code);
        return result;
      },
    });
  } finally {
    await session.quit();
  }
}

function notOpened(ping: PingResult): SessionError {
  if (ping.kind === 'refused') return new SessionError(`error ${ping.error.code}: ${ping.error.message}`, ping.error.code, ping.error.sqlState, ping);
  if (ping.kind !== 'ready') return new SessionError(describePing(ping), undefined, ping.kind, ping);
  const error = ping.loginError;
  if (error) return new SessionError(`error ${error.code}: ${error.message}`, error.code, error.sqlState, ping);
  return new SessionError(`log-in failed: ${ping.loginDetail ?? ping.login}`, undefined, 'LOGIN', ping);
}

// SHUTDOWN as a statement (MariaDB ≥ 10.0.4, MySQL ≥ 5.7.9): the server
// acknowledges, then closes every connection while InnoDB shuts down. A
// connection lost right after the statement, or 1053 (shutdown in
// progress), counts as accepted; a refusal (1227 no SHUTDOWN privilege, 1044)
// is thrown like any error.
export async function shutdownServer(options: SessionOptions): Promise<void> {
  await withSession(options, async (session) => {
    try {
      await session.query('SHUTDOWN');
    } catch (error) {
      if (error instanceof SessionError && (error.errno === SERVER_SHUTDOWN || LOST.has(error.code ?? ''))) return;
      throw error;
    }
  });
}

const SERVER_SHUTDOWN = 1053;
const LOST = new Set(['CLOSED', 'ECONNRESET', 'EPIPE']);
