import type {Socket} from 'node:net';
import type {Deadline} from '../ocf/deadline';
import {PROTOCOL_HEADER, parseServerOpening, stringProperty} from './amqp-frame';

export type ProbeResult =
  // The broker answered the protocol header with connection.start.
  | {kind: 'ready'; product: string; version: string; clusterName?: string; mechanisms: string[]}
  // Nothing listens (ECONNREFUSED), no route, no permission.
  | {kind: 'unreachable'; errno: string; reason: string}
  | {kind: 'timeout'; reason: string}
  // Something answered, but not connection.start (another protocol, another AMQP version, a closed connection).
  | {kind: 'protocol'; reason: string};

// The level-0 AMQP check, hand-written so a monitor loads neither amqplib
// nor child_process: connect, send the 0-9-1 protocol header, read the
// broker's connection.start and close. RabbitMQ logs nothing for a
// connection that ends before the handshake. Bounded by the deadline.
export function probeAmqp(host: string, port: number, deadline: Deadline): Promise<ProbeResult> {
  // require, not import(): node:net is loaded only by the actions that probe.
  const {createConnection} = require('node:net') as typeof import('node:net');
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise<ProbeResult>((resolve) => {
    let buffered: Buffer = Buffer.alloc(0);
    let settled = false;
    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const ms = Math.max(1, deadline.remainingMs());
    const timer = setTimeout(() => finish({kind: 'timeout', reason: `no connection.start from ${where} within ${ms} ms`}), ms);
    const socket: Socket = createConnection({host, port});
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(PROTOCOL_HEADER));
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const opening = parseServerOpening(buffered);
      switch (opening.kind) {
        case 'incomplete':
          return;
        case 'header':
          return finish({kind: 'protocol', reason: `${where} refused AMQP 0-9-1 (it speaks ${opening.version})`});
        case 'invalid':
          return finish({kind: 'protocol', reason: `${where}: ${opening.reason}`});
        case 'start': {
          const clusterName = stringProperty(opening, 'cluster_name');
          return finish({
            kind: 'ready',
            product: stringProperty(opening, 'product') ?? 'AMQP broker',
            version: stringProperty(opening, 'version') ?? `${opening.versionMajor}-${opening.versionMinor}`,
            ...(clusterName === undefined ? {} : {clusterName}),
            mechanisms: opening.mechanisms,
          });
        }
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({kind: 'unreachable', errno: error.code ?? 'error', reason: `${where}: ${error.code === 'ECONNREFUSED' ? 'connection refused (nothing listens)' : error.message}`}),
    );
    socket.on('close', () => finish({kind: 'protocol', reason: `${where} closed the connection before connection.start`}));
  });
}

// One line for logs and exit reasons.
export function describeProbe(result: ProbeResult): string {
  return result.kind === 'ready'
    ? `${result.product} ${result.version} answers${result.clusterName ? ` (cluster ${result.clusterName})` : ''}`
    : result.reason;
}

// Does anything accept TCP connections on host:port? (A port another program
// holds makes the broker fail to start; say so before starting it.)
export function portAcceptsConnections(host: string, port: number, deadline: Deadline): Promise<boolean> {
  const {createConnection} = require('node:net') as typeof import('node:net');
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({host, port});
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), Math.max(1, deadline.remainingMs()));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}
