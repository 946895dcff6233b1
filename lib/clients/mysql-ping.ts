import type {Socket} from 'node:net';
import type {Deadline} from '../ocf/deadline';
import {
  CACHING_SHA2_FAST_AUTH_OK,
  CACHING_SHA2_FULL_AUTH,
  cachingSha2FirstResponse,
  cleartextPassword,
  CLIENT_DEPRECATE_EOF,
  COM_QUIT,
  displayVersion,
  framePacket,
  handshakeResponse,
  nativePasswordToken,
  negotiated,
  parseAuthPayload,
  parseGreeting,
  type ErrPacket,
} from './mysql-packet';
import {comQuery, QueryResponse, takePackets, type Packet, type QueryResult} from './mysql-resultset';
import {sha1} from './sha1';

export interface PingCredentials {
  user: string;
  password: string;
}

export type PingResult =
  // The server sent its greeting: it accepts connections. `login` says how
  // the optional log-in went (it never changes the verdict: the greeting is the proof).
  // A log-in the server refused carries its ERR packet (loginError).
  | {
      kind: 'ready';
      serverVersion: string;
      threadId: number;
      login: 'none' | 'ok' | 'refused' | 'unsupported';
      loginDetail?: string;
      loginError?: ErrPacket;
    }
  // The server answered with an ERR packet instead of a greeting.
  | {kind: 'refused'; error: ErrPacket}
  // Nobody listens: no socket file, a stale socket, no permission.
  | {kind: 'unreachable'; errno: string; reason: string}
  | {kind: 'timeout'; reason: string}
  | {kind: 'protocol'; reason: string};

// Server errors that still prove a live server: it is overloaded or refuses
// this client, not down. Monitor maps them to "running" with a warning, since
// a restart would drop every client to fix what is a capacity or access
// problem: 1040 too many connections, 1129 host blocked (too many bad
// handshakes), 1130 host not allowed. Any other ERR instead of a greeting
// (1053 shutdown in progress, out of memory ...) is a failing server.
export const ALIVE_REFUSALS: ReadonlySet<number> = new Set([1040, 1129, 1130]);

// A protocol-level ping over the unix socket, hand-written so a monitor
// loads no client library nor child_process: connect, read the greeting,
// and either close, or — with credentials — log in (mysql_native_password,
// or caching_sha2_password when the server switches to it) and send
// COM_QUIT. A bare close costs the server a "closed normally without
// authentication" warning in its error log at the default log_warnings=2
// (every monitor interval); a completed log-in with COM_QUIT logs nothing.
// Bounded by the deadline.
export async function pingServer(socketPath: string, deadline: Deadline, credentials?: PingCredentials): Promise<PingResult> {
  const opened = await openSession(socketPath, deadline, credentials);
  if (opened.kind !== 'session') return opened;
  await opened.session.quit();
  return opened.ready;
}

export type Ready = Extract<PingResult, {kind: 'ready'}>;

// A failure on the wire while a statement runs: the deadline passed (code
// ETIMEDOUT), the connection closed (CLOSED) or failed (its errno), or the
// server sent what the client cannot read (PROTOCOL).
export interface WireFailure {
  kind: 'lost';
  code: string;
  reason: string;
}

// A logged-in connection: one statement at a time, then quit().
export interface MysqlSession {
  // The server's response: OK, ERR or a result set (its first 100 rows as text).
  query(sql: string): Promise<QueryResult | WireFailure>;
  // COM_QUIT, then the socket is closed; never fails.
  quit(): Promise<void>;
}

// The ping's connection, kept open after a successful log-in so statements
// run on it (monitor depths 10 and 20, SHUTDOWN): a session, or the ping's
// result when there is no log-in to go on from (the connection then closed).
export async function openSession(
  socketPath: string,
  deadline: Deadline,
  credentials?: PingCredentials,
): Promise<PingResult | {kind: 'session'; ready: Ready; session: MysqlSession}> {
  // require, not import: node:net is loaded only by the actions that ping.
  const {createConnection} = require('node:net') as typeof import('node:net');
  const ms = Math.max(1, deadline.remainingMs());
  const channel = new Channel(createConnection({path: socketPath}), ms);
  const first = await channel.next();
  if (!isPacket(first)) {
    switch (first.kind) {
      case 'timeout':
        return {kind: 'timeout', reason: `no greeting on ${socketPath} within ${ms} ms`};
      case 'error':
        return {kind: 'unreachable', errno: first.error.code ?? 'error', reason: `${socketPath}: ${describeErrno(first.error)}`};
      case 'closed':
        return {kind: 'protocol', reason: `${socketPath}: connection closed before the greeting`};
      case 'invalid':
        return {kind: 'protocol', reason: `${socketPath}: ${first.reason}`};
    }
  }
  const hello = parseGreeting(first.payload);
  if (hello.kind !== 'greeting') {
    channel.destroy();
    return hello.kind === 'error' ? {kind: 'refused', error: hello} : {kind: 'protocol', reason: `${socketPath}: ${hello.reason}`};
  }
  const ready: Ready = {kind: 'ready', serverVersion: displayVersion(hello.serverVersion), threadId: hello.threadId, login: 'none'};
  const notLoggedIn = (login: Ready['login'], detail?: string, error?: ErrPacket): Ready => {
    channel.destroy();
    return {...ready, login, ...(detail === undefined ? {} : {loginDetail: detail}), ...(error ? {loginError: error} : {})};
  };
  if (!credentials) return notLoggedIn('none');
  if (!hello.scramble || hello.scramble.length < 20) return notLoggedIn('unsupported', 'no 20-byte scramble in the greeting');
  const outcome = await logIn(channel, credentials, hello.scramble);
  if (outcome.login !== 'ok') return notLoggedIn(outcome.login, outcome.detail, outcome.error);
  const deprecateEof = negotiated(CLIENT_DEPRECATE_EOF, hello.capabilities);
  return {kind: 'session', ready: {...ready, login: 'ok'}, session: sessionOn(channel, socketPath, deprecateEof)};
}

type LogIn = {login: 'ok'} | {login: 'refused' | 'unsupported'; detail: string; error?: ErrPacket};

// The handshake response (mysql_native_password), then what the server asks
// for until it says OK or ERR: a switch to mysql_native_password or
// caching_sha2_password with a new scramble, the latter's full authentication.
async function logIn(channel: Channel, credentials: PingCredentials, scramble: Buffer): Promise<LogIn> {
  const {password} = credentials;
  channel.write(handshakeResponse(credentials.user, nativePasswordToken(password, scramble, sha1)));
  let plugin = 'mysql_native_password';
  for (;;) {
    const reply = await channel.next();
    if (!isPacket(reply)) {
      switch (reply.kind) {
        case 'timeout':
          return {login: 'refused', detail: 'no reply to the log-in in time'};
        case 'error':
          return {login: 'refused', detail: reply.error.message};
        case 'closed':
          return {login: 'refused', detail: 'connection closed during log-in'};
        case 'invalid':
          return {login: 'refused', detail: reply.reason};
      }
    }
    const auth = parseAuthPayload(reply.payload);
    const answer = (payload: Buffer): void => channel.write(framePacket(reply.sequence + 1, payload));
    switch (auth.kind) {
      case 'ok':
        return {login: 'ok'};
      case 'error':
        return {login: 'refused', detail: `${auth.code}: ${auth.message}`, error: auth};
      case 'switch':
        plugin = auth.plugin;
        if (plugin === 'mysql_native_password') answer(nativePasswordToken(password, auth.scramble, sha1));
        else if (plugin === 'caching_sha2_password') answer(cachingSha2FirstResponse(password));
        else return {login: 'unsupported', detail: `auth plugin ${plugin}`};
        continue;
      case 'more':
        if (plugin !== 'caching_sha2_password') return {login: 'unsupported', detail: 'multi-step auth plugin'};
        // Fast authentication passed: the OK packet follows.
        if (auth.data[0] === CACHING_SHA2_FAST_AUTH_OK) continue;
        if (auth.data[0] !== CACHING_SHA2_FULL_AUTH) return {login: 'unsupported', detail: 'caching_sha2_password: unexpected request'};
        answer(cleartextPassword(password));
        continue;
      case 'invalid':
        return {login: 'refused', detail: auth.reason};
    }
  }
}

function sessionOn(channel: Channel, socketPath: string, deprecateEof: boolean): MysqlSession {
  const lost = (end: Ending): WireFailure => {
    switch (end.kind) {
      case 'timeout':
        return {kind: 'lost', code: 'ETIMEDOUT', reason: `no answer from ${socketPath} before the deadline`};
      case 'closed':
        return {kind: 'lost', code: 'CLOSED', reason: `${socketPath}: connection closed by the server`};
      case 'error':
        return {kind: 'lost', code: end.error.code ?? 'error', reason: `${socketPath}: ${end.error.message}`};
      case 'invalid':
        return {kind: 'lost', code: 'PROTOCOL', reason: `${socketPath}: ${end.reason}`};
    }
  };
  return {
    async query(sql) {
      const ended = channel.ended();
      if (ended) return lost(ended);
      channel.write(comQuery(sql));
      const response = new QueryResponse({deprecateEof});
      for (;;) {
        const packet = await channel.next();
        if (!isPacket(packet)) return lost(packet);
        const result = response.push(packet);
        if (result?.kind === 'invalid') {
          // The rest of the stream cannot be trusted: no further statement.
          channel.fail(result.reason);
          return lost({kind: 'invalid', reason: result.reason});
        }
        if (result) return result;
      }
    },
    quit: () => channel.quit(),
  };
}

// How a connection ended: the deadline, the peer closing, a socket error,
// or bytes that are no packets.
type Ending = {kind: 'timeout'} | {kind: 'closed'} | {kind: 'error'; error: NodeJS.ErrnoException} | {kind: 'invalid'; reason: string};

const isPacket = (value: Packet | Ending): value is Packet => 'payload' in value;

// The socket as a queue of packets, reassembled across reads, with one timer
// for the whole connection: next() waits for the next packet or the end.
class Channel {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly queue: Packet[] = [];
  private ending: Ending | undefined;
  private wake: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    ms: number,
  ) {
    this.timer = setTimeout(() => this.end({kind: 'timeout'}), ms);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      const taken = takePackets(this.buffered);
      if ('kind' in taken) return this.end(taken);
      this.queue.push(...taken.packets);
      this.buffered = taken.rest;
      this.notify();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.end({kind: 'error', error}));
    socket.on('close', () => this.end({kind: 'closed'}));
  }

  async next(): Promise<Packet | Ending> {
    for (;;) {
      const packet = this.queue.shift();
      if (packet) return packet;
      if (this.ending) return this.ending;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  ended(): Ending | undefined {
    return this.ending;
  }

  write(bytes: Buffer): void {
    // A failed write surfaces as an 'error' event, hence as the ending.
    if (!this.ending) this.socket.write(bytes);
  }

  fail(reason: string): void {
    this.end({kind: 'invalid', reason});
  }

  destroy(): void {
    this.end({kind: 'closed'});
  }

  // COM_QUIT (a server that just sees the connection drop logs it as
  // aborted), then a wait for the server to close, a second at most.
  async quit(): Promise<void> {
    if (this.ending) return this.destroy();
    this.socket.end(COM_QUIT);
    const grace = setTimeout(() => this.destroy(), 1000);
    // Whatever still arrives is of no interest: wait for the end.
    while (isPacket(await this.next()));
    clearTimeout(grace);
    this.destroy();
  }

  private end(ending: Ending): void {
    this.ending ??= ending;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function describeErrno(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such socket';
    case 'ECONNREFUSED':
      return 'connection refused (stale socket, no server listening)';
    case 'EACCES':
      return 'permission denied';
    case 'ENOTSOCK':
      return 'not a socket';
    default:
      return error.message;
  }
}

// One line for logs and exit reasons.
export function describePing(result: PingResult): string {
  switch (result.kind) {
    case 'ready':
      return `${result.serverVersion} answers (thread ${result.threadId})`;
    case 'refused':
      return `the server refuses connections: error ${result.error.code}${result.error.sqlState ? ` (${result.error.sqlState})` : ''}: ${result.error.message}`;
    case 'unreachable':
    case 'timeout':
    case 'protocol':
      return result.reason;
  }
}
