import {readFileSync} from 'node:fs';
import type {Socket} from 'node:net';
import {join} from 'node:path';
import {CLIENT_DEPRECATE_EOF, framePacket} from '../../../../lib/clients/mysql-packet';
import {takePackets} from '../../../../lib/clients/mysql-resultset';
import {SessionError, shutdownServer, withSession} from '../../../../lib/clients/mysql-session';
import {Deadline} from '../../../../lib/ocf/deadline';
import {scriptedPeers} from './scripted-peer';

// The session against a scripted unix-socket peer that answers with bytes
// captured from MariaDB 10.11 (real server: test/integration/mysql.test.ts).
// The greeting announces CLIENT_DEPRECATE_EOF; the client does not, so the
// server keeps its EOF packets.
const GREETING = Buffer.from(
  '640000000a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310003000000226e2a226a73245600fef72d0200ff81150000000000001d0000006473395d4c4553517d437442006d7973716c5f6e61746976655f70617373776f726400',
  'hex',
);
const captured = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/mysql/query-responses.json'), 'utf8')) as {
  eof: {responses: Record<string, {hex: string}>};
};
const response = (name: string): Buffer => Buffer.from(captured.eof.responses[name]!.hex, 'hex');
const OK_LOGIN = framePacket(2, Buffer.from([0, 0, 0, 2, 0, 0, 0]));
const ERR = (sequence: number, code: number, message: string) =>
  framePacket(sequence, Buffer.concat([Buffer.from([0xff, code & 0xff, code >> 8]), Buffer.from(`#42000${message}`)]));

const peers = scriptedPeers('hct-session-');

interface Peer {
  path: string;
  // Every packet the client sent, in order.
  received: Buffer[];
}

// A server that greets, accepts (or answers `login`) the log-in, and hands
// each later command to `onCommand`.
async function peer(onCommand: (payload: Buffer, socket: Socket) => void, login: Buffer = OK_LOGIN): Promise<Peer> {
  const received: Buffer[] = [];
  const path = await peers.serve((socket) => {
    let buffered = Buffer.alloc(0);
    socket.write(GREETING);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const taken = takePackets(buffered);
      if ('kind' in taken) throw new Error(taken.reason);
      buffered = Buffer.from(taken.rest);
      for (const packet of taken.packets) {
        received.push(Buffer.from(packet.payload));
        if (received.length === 1) socket.write(login);
        else if (packet.payload[0] === 0x01) socket.end();
        else onCommand(packet.payload, socket);
      }
    });
  });
  return {path, received};
}

const options = (path: string, ms = 2000) => ({socketPath: path, user: 'monitor', password: 'pw', deadline: Deadline.after(ms)});

// One byte per write, a few milliseconds apart: every read boundary.
async function trickle(socket: Socket, bytes: Buffer): Promise<void> {
  for (const byte of bytes) {
    socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('withSession', () => {
  test('a result set split across reads; the log-in announces no CLIENT_DEPRECATE_EOF; COM_QUIT ends it', async () => {
    const p = await peer((payload, socket) => void trickle(socket, response('select_values')));
    const result = await withSession(options(p.path), (s) => s.query('SELECT 1'));
    expect(result).toMatchObject({kind: 'rows', rowCount: 1, rows: [['hé', null, '42', 'x'.repeat(300), '']]});
    expect(p.received[0]!.readUInt32LE(0) & CLIENT_DEPRECATE_EOF).toBe(0);
    expect(p.received[1]!.toString('utf8')).toBe('\x03SELECT 1');
    expect(p.received.at(-1)!.toString('hex')).toBe('01');
  });

  test('statements run one after the other on the same connection; an ERR is a SessionError and the session goes on', async () => {
    const answers = [ERR(1, 1146, "Table 'hacloud.heartbeat' doesn't exist"), response('set_variable'), response('select_three_rows')];
    const p = await peer((_, socket) => socket.write(answers.shift()!));
    const outcome = await withSession(options(p.path), async (s) => {
      const error = await s.query('REPLACE INTO x').catch((e: unknown) => e);
      return [error, await s.query('CREATE TABLE x'), await s.query('SELECT n')];
    });
    expect(outcome[0]).toBeInstanceOf(SessionError);
    expect(outcome[0]).toMatchObject({message: "error 1146: Table 'hacloud.heartbeat' doesn't exist", errno: 1146, code: '42000'});
    expect(outcome[1]).toMatchObject({kind: 'ok', affectedRows: 0});
    expect(outcome[2]).toMatchObject({kind: 'rows', rows: [['1'], ['2'], [null]]});
    expect(p.received.map((r) => r[0])).toEqual([expect.any(Number), 3, 3, 3, 1]);
  });

  test('a refused log-in is a SessionError with the server\'s text, and the ping that tells the server is alive', async () => {
    const denied = framePacket(2, Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'monitor'@'localhost' (using password: YES)")]));
    const p = await peer(() => {}, denied);
    const error = await withSession(options(p.path), async () => 'never').catch((e: unknown) => e);
    expect(error).toMatchObject({
      message: "error 1045: Access denied for user 'monitor'@'localhost' (using password: YES)",
      errno: 1045,
      ping: {kind: 'ready', login: 'refused'},
    });
  });

  test('no server: a SessionError carrying the unreachable ping', async () => {
    const error = await withSession(options(join(peers.dir(), 'none.sock')), async () => 'never').catch((e: unknown) => e);
    expect(error).toMatchObject({code: 'unreachable', ping: {kind: 'unreachable', errno: 'ENOENT'}});
  });

  test('a statement without an answer fails at the deadline', async () => {
    const p = await peer(() => {});
    const started = Date.now();
    const error = await withSession(options(p.path, 300), (s) => s.query('SELECT SLEEP(100)')).catch((e: unknown) => e);
    expect(error).toMatchObject({code: 'ETIMEDOUT', message: `no answer from ${p.path} before the deadline`});
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('a 16 MiB packet fails clearly instead of waiting for it', async () => {
    const p = await peer((_, socket) => socket.write(Buffer.from([0xff, 0xff, 0xff, 1, 0xfb])));
    const error = await withSession(options(p.path, 5000), (s) => s.query('SELECT big')).catch((e: unknown) => e);
    expect(error).toMatchObject({code: 'PROTOCOL', message: `${p.path}: a packet of 16 MiB or more (split packets are not supported)`});
  });

  test('a connection the server drops mid-result fails the statement', async () => {
    const p = await peer((_, socket) => socket.end(response('select_values').subarray(0, 40)));
    const error = await withSession(options(p.path), (s) => s.query('SELECT 1')).catch((e: unknown) => e);
    expect(error).toMatchObject({code: 'CLOSED'});
  });
});

describe('shutdownServer', () => {
  test('accepted: an OK, or the connection closing at once', async () => {
    const ok = await peer((_, socket) => socket.write(framePacket(1, Buffer.from([0, 0, 0, 2, 0, 0, 0]))));
    await expect(shutdownServer(options(ok.path))).resolves.toBeUndefined();
    expect(ok.received[1]!.toString('utf8')).toBe('\x03SHUTDOWN');
    const closing = await peer((_, socket) => socket.destroy());
    await expect(shutdownServer(options(closing.path))).resolves.toBeUndefined();
  });

  test('refused without the privilege (captured 1227): thrown, for the caller to fall back to SIGTERM', async () => {
    const p = await peer((_, socket) => socket.write(response('shutdown_denied')));
    await expect(shutdownServer(options(p.path))).rejects.toMatchObject({
      errno: 1227,
      message: 'error 1227: Access denied; you need (at least one of) the SHUTDOWN privilege(s) for this operation',
    });
  });
});
