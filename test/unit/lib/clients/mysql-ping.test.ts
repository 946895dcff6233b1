import {createHash} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {pingServer} from '../../../../lib/clients/mysql-ping';
import {framePacket, nativePasswordToken} from '../../../../lib/clients/mysql-packet';
import {Deadline} from '../../../../lib/ocf/deadline';
import {scriptedPeers} from './scripted-peer';

// The client against a scripted unix-socket peer (real MariaDB: test/integration/mysql.test.ts).
const GREETING = Buffer.from(
  '640000000a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310003000000226e2a226a73245600fef72d0200ff81150000000000001d0000006473395d4c4553517d437442006d7973716c5f6e61746976655f70617373776f726400',
  'hex',
);
const SCRAMBLE = Buffer.from('226e2a226a7324566473395d4c4553517d437442', 'hex');
const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();

const peers = scriptedPeers('hct-ping-');
const serve = peers.serve;

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

  // MySQL 8: the account's plugin is caching_sha2_password. The client
  // answers the switch with a response that cannot pass the fast
  // authentication and, asked for the full one, sends the password over the
  // unix socket; when the fast authentication passes anyway, OK follows.
  test.each([
    ['full authentication', [0x01, 0x04], ['monitor', 32, 'Zq9#distinct\0']],
    ['fast authentication', [0x01, 0x03], ['monitor', 32]],
  ])('caching_sha2_password: %s', async (_name, verdict, expected) => {
    const sent: Buffer[] = [];
    const path = await serve((s) => {
      s.write(GREETING);
      s.on('data', (d: Buffer) => {
        for (let at = 0; at < d.length; at += 4 + d.readUIntLE(at, 3)) {
          const sequence = d[at + 3] as number;
          sent.push(d.subarray(at + 4, at + 4 + d.readUIntLE(at, 3)));
          if (sequence === 1) s.write(framePacket(2, Buffer.concat([Buffer.from('\xfecaching_sha2_password\0', 'latin1'), Buffer.alloc(20, 9), Buffer.from([0])])));
          if (sequence === 3) s.write(Buffer.concat([framePacket(4, Buffer.from(verdict)), ...(verdict[1] === 0x03 ? [framePacket(5, Buffer.from([0, 0, 0, 2, 0, 0, 0]))] : [])]));
          if (sequence === 5) s.write(framePacket(6, Buffer.from([0, 0, 0, 2, 0, 0, 0])));
        }
      });
    });
    expect(await pingServer(path, Deadline.after(2000), {user: 'monitor', password: 'Zq9#distinct'})).toMatchObject({kind: 'ready', login: 'ok'});
    expect(sent[0]!.includes(Buffer.from(`${expected[0]}\0`))).toBe(true);
    expect(sent[1]).toHaveLength(expected[1] as number);
    expect(sent.slice(2, -1).map((b) => b.toString('utf8'))).toEqual(expected.slice(2));
    expect(sent.at(-1)!.toString('hex')).toBe('01');
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
    expect(await pingServer(join(peers.dir(), 'missing.sock'), Deadline.after(1000))).toMatchObject({kind: 'unreachable', errno: 'ENOENT'});
    const plain = join(peers.dir(), 'plain');
    writeFileSync(plain, '');
    expect(await pingServer(plain, Deadline.after(1000))).toMatchObject({kind: 'unreachable', errno: 'ECONNREFUSED'});
    const path = await serve((s) => s.end());
    expect(await pingServer(path, Deadline.after(1000))).toMatchObject({kind: 'protocol'});
  });
});
