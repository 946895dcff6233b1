import type {Deadline} from '../ocf/deadline';

export type ConnectResult = {kind: 'connected'} | {kind: 'failed'; reason: string};

// Opens a TCP connection and closes it at once: is something listening?
// Bounded by the deadline; never throws.
export function tcpConnect(host: string, port: number, deadline: Deadline): Promise<ConnectResult> {
  // require, not import(): node:net loads only on the actions that connect.
  const {createConnection} = require('node:net') as typeof import('node:net');
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise<ConnectResult>((resolve) => {
    const ms = Math.max(1, deadline.remainingMs());
    const finish = (result: ConnectResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({kind: 'failed', reason: `no connection to ${where} within ${ms} ms`}), ms);
    const socket = createConnection({host, port});
    socket.once('connect', () => finish({kind: 'connected'}));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({kind: 'failed', reason: `${where}: ${error.code ?? error.message}`}));
  });
}
