import type {Socket} from 'node:net';
import type {Deadline} from '../ocf/deadline';
import {
  COM_QUIT,
  displayVersion,
  framePacket,
  handshakeResponse,
  nativePasswordToken,
  parseAuthReply,
  parseServerHello,
  type AuthReply,
  type ErrPacket,
} from './mysql-packet';
import {sha1} from './sha1';

export interface PingCredentials {
  user: string;
  password: string;
}

export type PingResult =
  // The server sent its greeting: it accepts connections. `login` says how
  // the optional log-in went (it never changes the verdict: the greeting is the proof).
  | {kind: 'ready'; serverVersion: string; threadId: number; login: 'none' | 'ok' | 'refused' | 'unsupported'; loginDetail?: string}
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

// A protocol-level ping over the unix socket, hand-written so a level-0
// monitor loads neither mysql2 nor child_process: connect, read the greeting,
// and either close, or — with credentials — log in with
// mysql_native_password and send COM_QUIT. A bare close costs the server a
// "closed normally without authentication" warning in its error log at the
// default log_warnings=2 (every monitor interval); a completed log-in with
// COM_QUIT logs nothing. Bounded by the deadline.
export function pingServer(socketPath: string, deadline: Deadline, credentials?: PingCredentials): Promise<PingResult> {
  // require, not import: node:net is loaded only by the actions that ping.
  const {createConnection} = require('node:net') as typeof import('node:net');
  return new Promise<PingResult>((resolve) => {
    let socket: Socket;
    let buffered: Buffer = Buffer.alloc(0);
    let greeting: Extract<PingResult, {kind: 'ready'}> | undefined;
    let phase: 'greeting' | 'auth' | 'quit' = 'greeting';
    let settled = false;
    const finish = (result: PingResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const ms = Math.max(1, deadline.remainingMs());
    const timer = setTimeout(() => {
      // A greeting already seen is enough: the log-in is a courtesy.
      if (greeting) finish({...greeting, login: 'refused', loginDetail: 'no reply to the log-in in time'});
      else finish({kind: 'timeout', reason: `no greeting on ${socketPath} within ${ms} ms`});
    }, ms);
    const loggedIn = (login: 'ok' | 'refused' | 'unsupported', detail?: string): void => {
      if (!greeting) return;
      greeting = detail === undefined ? {...greeting, login} : {...greeting, login, loginDetail: detail};
      if (login === 'ok') {
        phase = 'quit';
        socket.end(COM_QUIT);
      } else {
        finish(greeting);
      }
    };
    const onAuthReply = (reply: AuthReply, sequence: number): void => {
      switch (reply.kind) {
        case 'incomplete':
          return;
        case 'ok':
          return loggedIn('ok');
        case 'error':
          return loggedIn('refused', `${reply.code}: ${reply.message}`);
        case 'switch':
          if (reply.plugin !== 'mysql_native_password' || !credentials) return loggedIn('unsupported', `auth plugin ${reply.plugin}`);
          buffered = Buffer.alloc(0);
          socket.write(framePacket(sequence + 1, nativePasswordToken(credentials.password, reply.scramble, sha1)));
          return;
        case 'more':
          return loggedIn('unsupported', 'multi-step auth plugin');
        case 'invalid':
          return loggedIn('refused', reply.reason);
      }
    };
    socket = createConnection({path: socketPath});
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (phase === 'quit') return;
      if (phase === 'auth') {
        onAuthReply(parseAuthReply(buffered), buffered[3] ?? 0);
        return;
      }
      const hello = parseServerHello(buffered);
      switch (hello.kind) {
        case 'incomplete':
          return;
        case 'invalid':
          return finish({kind: 'protocol', reason: `${socketPath}: ${hello.reason}`});
        case 'error':
          return finish({kind: 'refused', error: hello});
        case 'greeting': {
          greeting = {kind: 'ready', serverVersion: displayVersion(hello.serverVersion), threadId: hello.threadId, login: 'none'};
          if (!credentials) return finish(greeting);
          if (!hello.scramble || hello.scramble.length < 20) return loggedIn('unsupported', 'no 20-byte scramble in the greeting');
          phase = 'auth';
          buffered = Buffer.alloc(0);
          socket.write(handshakeResponse(credentials.user, nativePasswordToken(credentials.password, hello.scramble, sha1)));
          return;
        }
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (greeting) return finish(phase === 'quit' ? greeting : {...greeting, login: 'refused', loginDetail: error.message});
      finish({kind: 'unreachable', errno: error.code ?? 'error', reason: `${socketPath}: ${describeErrno(error)}`});
    });
    socket.on('close', () => {
      if (greeting) return finish(phase === 'quit' || !credentials ? greeting : {...greeting, login: 'refused', loginDetail: 'connection closed during log-in'});
      finish({kind: 'protocol', reason: `${socketPath}: connection closed before the greeting`});
    });
  });
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
