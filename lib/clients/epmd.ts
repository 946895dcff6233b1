import type {Deadline} from '../ocf/deadline';

export const EPMD_PORT = 4369;

export interface EpmdName {
  name: string;
  port: number;
}

// The NAMES_RESP body: a 4-byte epmd port, then "name <n> at port <p>" lines.
export function parseNames(bytes: Buffer): EpmdName[] {
  const names: EpmdName[] = [];
  for (const line of bytes.subarray(4).toString('latin1').split('\n')) {
    const match = /^name (\S+) at port (\d+)$/.exec(line.trim());
    if (match) names.push({name: match[1] as string, port: Number(match[2])});
  }
  return names;
}

// The Erlang nodes registered with the local epmd (NAMES_REQ, no Erlang VM
// needed); undefined when no epmd answers.
export function epmdNames(deadline: Deadline, port = EPMD_PORT): Promise<EpmdName[] | undefined> {
  const {createConnection} = require('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (value: EpmdName[] | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), Math.max(1, deadline.remainingMs()));
    const socket = createConnection({host: '127.0.0.1', port});
    // Request length 1, NAMES_REQ (110).
    socket.on('connect', () => socket.write(Buffer.from([0, 1, 110])));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish(parseNames(Buffer.concat(chunks))));
    socket.on('error', () => finish(undefined));
  });
}
