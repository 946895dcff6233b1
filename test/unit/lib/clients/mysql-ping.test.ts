import {createHash} from 'node:crypto';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {pingServer} from '../../../../lib/clients/mysql-ping';
import {framePacket, nativePasswordToken} from '../../../../lib/clients/mysql-packet';
import {Deadline} from '../../../../lib/ocf/deadline';

// The client against a scripted unix-socket peer (real MariaDB: test/integration/mysql.test.ts).
const GREETING = Buffer.from(
  '640000000a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310003000000226e2a226a73245600fef72d0200ff81150000000000001d0000006473395d4c4553517d437442006d7973716c5f6e61746976655f70617373776f726400',
  'hex',
);
const SCRAMBLE = Buffer.from('226e2a226a7324566473395d4c4553517d437442', 'hex');
const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();

let dir = '';
let server: Server | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hct-ping-'));
});
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

let counter = 0;
async function serve(onConnection: (socket: Socket) => void): Promise<string> {
  const path = join(dir, `s${++counter}.sock`);
  server = createServer(onConnection);
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  return path;
}

describe('pingServer', () => {
  test('a greeting is a ready server; the client closes without logging in', async () => {
    const path = await serve((s) => s.write(GREETING));
    expect(await pingServer(path, Deadline.after(2000))).toEqual({
      kind: 'ready',
      serverVersion: '10.11.19-MariaDB-0+deb12u1',
      threadId: 3,
      login: 'none',
    });
  });

  test('a greeting split over several writes is reassembled', async () => {
    const path = await serve((s) => {
      s.write(GREETING.subarray(0, 3));
      setTimeout(() => s.write(GREETING.subarray(3, 40)), 20);
      setTimeout(() => s.write(GREETING.subarray(40)), 40);
    });
    expect(await pingServer(path, Deadline.after(2000))).toMatchObject({kind: 'ready', threadId: 3});
  });

  test('with credentials it logs in with the right token and ends with COM_QUIT', async () => {
    let received = Buffer.alloc(0);
    const path = await serve((s) => {
      s.write(GREETING);
      s.on('data', (d: Buffer) => {
        received = Buffer.concat([received, d]);
        if (received.length > 4 && received[3] === 1) s.write(framePacket(2, Buffer.from([0, 0, 0, 2, 0, 0, 0])));
      });
    });
    const result = await pingServer(path, Deadline.after(2000), {user: 'monitor', password: 'Zq9#distinct'});
    expect(result).toMatchObject({kind: 'ready', login: 'ok'});
    expect(received.includes(Buffer.from('monitor\0'))).toBe(true);
    expect(received.includes(nativePasswordToken('Zq9#distinct', SCRAMBLE, sha1))).toBe(true);
    expect(received.includes(Buffer.from('Zq9#distinct'))).toBe(false);
    expect(received.subarray(-5).toString('hex')).toBe('0100000001');
  });

  test('a refused log-in still reports a ready server, with the reason', async () => {
    const path = await serve((s) => {
      s.write(GREETING);
      s.once('data', () => s.end(framePacket(2, Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from('#28000Access denied')]))));
    });
    expect(await pingServer(path, Deadline.after(2000), {user: 'm', password: 'x'})).toMatchObject({
      kind: 'ready',
      login: 'refused',
      loginDetail: '1045: Access denied',
    });
  });

  test('an ERR packet instead of a greeting is a refusal with its code', async () => {
    const path = await serve((s) => s.end(framePacket(0, Buffer.concat([Buffer.from([0xff, 0x10, 0x04]), Buffer.from('Too many connections')]))));
    expect(await pingServer(path, Deadline.after(2000))).toEqual({kind: 'refused', error: {kind: 'error', code: 1040, message: 'Too many connections'}});
  });

  test('silence ends at the deadline', async () => {
    const path = await serve(() => {});
    const started = Date.now();
    const result = await pingServer(path, Deadline.after(300));
    expect(result.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test('no socket, a plain file and a peer that hangs up are told apart', async () => {
    expect(await pingServer(join(dir, 'missing.sock'), Deadline.after(1000))).toMatchObject({kind: 'unreachable', errno: 'ENOENT'});
    const plain = join(dir, 'plain');
    writeFileSync(plain, '');
    expect(await pingServer(plain, Deadline.after(1000))).toMatchObject({kind: 'unreachable', errno: 'ECONNREFUSED'});
    const path = await serve((s) => s.end());
    expect(await pingServer(path, Deadline.after(1000))).toMatchObject({kind: 'protocol'});
  });
});
