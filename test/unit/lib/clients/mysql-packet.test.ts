import {createHash} from 'node:crypto';
import {
  COM_QUIT,
  displayVersion,
  framePacket,
  handshakeResponse,
  nativePasswordToken,
  parseAuthReply,
  parseServerHello,
} from '../../../../lib/clients/mysql-packet';

// Captured from MariaDB 10.11.19 (Debian 12) over its unix socket: the
// initial handshake packet, byte for byte.
const MARIADB_GREETING = Buffer.from(
  '640000000a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275310003000000226e2a226a73245600fef72d0200ff81150000000000001d0000006473395d4c4553517d437442006d7973716c5f6e61746976655f70617373776f726400',
  'hex',
);
const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();

describe('parseServerHello', () => {
  test('reads the captured MariaDB greeting', () => {
    const hello = parseServerHello(MARIADB_GREETING);
    expect(hello).toMatchObject({
      kind: 'greeting',
      protocol: 10,
      serverVersion: '5.5.5-10.11.19-MariaDB-0+deb12u1',
      threadId: 3,
      authPlugin: 'mysql_native_password',
    });
    if (hello.kind !== 'greeting') throw new Error('not a greeting');
    // 8 bytes of part 1 + 12 of part 2 (its 13th is the terminating NUL).
    expect(hello.scramble?.toString('hex')).toBe('226e2a226a7324566473395d4c4553517d437442');
    expect(displayVersion(hello.serverVersion)).toBe('10.11.19-MariaDB-0+deb12u1');
  });

  test('an ERR packet before the handshake, without SQL state (MySQL: too many connections)', () => {
    const payload = Buffer.concat([Buffer.from([0xff, 0x10, 0x04]), Buffer.from('Too many connections')]);
    expect(parseServerHello(framePacket(0, payload))).toEqual({kind: 'error', code: 1040, message: 'Too many connections'});
  });

  test('an ERR packet with a SQL state (host blocked)', () => {
    const payload = Buffer.concat([Buffer.from([0xff, 0x69, 0x04]), Buffer.from("#HY000Host '10.0.0.1' is blocked")]);
    expect(parseServerHello(framePacket(0, payload))).toEqual({
      kind: 'error',
      code: 1129,
      sqlState: 'HY000',
      message: "Host '10.0.0.1' is blocked",
    });
  });

  test('every truncation of the greeting is incomplete, never a throw or a wrong answer', () => {
    for (let n = 0; n < MARIADB_GREETING.length; n++) {
      expect(parseServerHello(MARIADB_GREETING.subarray(0, n))).toEqual({kind: 'incomplete'});
    }
  });

  test('a greeting whose length field cuts the version short is invalid', () => {
    const payload = Buffer.concat([Buffer.from([10]), Buffer.from('10.11.19')]);
    expect(parseServerHello(framePacket(0, payload))).toEqual({kind: 'invalid', reason: 'greeting truncated in the server version'});
  });

  test('a short greeting without auth data still identifies the server', () => {
    const payload = Buffer.concat([Buffer.from([10]), Buffer.from('8.0.36\0'), Buffer.from([7, 0, 0, 0])]);
    expect(parseServerHello(framePacket(0, payload))).toEqual({kind: 'greeting', protocol: 10, serverVersion: '8.0.36', threadId: 7});
  });

  test('another protocol, an empty packet and a truncated ERR are invalid', () => {
    expect(parseServerHello(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toMatchObject({kind: 'incomplete'});
    expect(parseServerHello(framePacket(0, Buffer.from([9, 0x41, 0])))).toEqual({kind: 'invalid', reason: 'protocol version 9, expected 10'});
    expect(parseServerHello(framePacket(0, Buffer.alloc(0)))).toEqual({kind: 'invalid', reason: 'empty packet'});
    expect(parseServerHello(framePacket(0, Buffer.from([0xff, 0x10])))).toEqual({kind: 'invalid', reason: 'ERR packet truncated'});
  });
});

describe('the log-in packets', () => {
  test('mysql_native_password token matches the reference formula and is empty for no password', () => {
    const scramble = Buffer.from('226e2a226a7324566473395d4c4553517d437442', 'hex');
    const stage1 = sha1(Buffer.from('S3cr#t-pw'));
    const mix = sha1(Buffer.concat([scramble, sha1(stage1)]));
    const expected = Buffer.from(stage1.map((b, i) => b ^ (mix[i] as number)));
    expect(nativePasswordToken('S3cr#t-pw', scramble, sha1).equals(expected)).toBe(true);
    expect(nativePasswordToken('', scramble, sha1)).toHaveLength(0);
  });

  test('the handshake response carries the user and the token, never the password', () => {
    const token = nativePasswordToken('S3cr#t-pw', Buffer.alloc(20, 7), sha1);
    const packet = handshakeResponse('monitor', token);
    expect(packet.readUIntLE(0, 3)).toBe(packet.length - 4);
    expect(packet[3]).toBe(1);
    expect(packet.includes(Buffer.from('monitor\0'))).toBe(true);
    expect(packet.includes(token)).toBe(true);
    expect(packet.includes(Buffer.from('S3cr#t-pw'))).toBe(false);
    expect(packet.subarray(-22).toString('latin1')).toBe('mysql_native_password\0');
  });

  test('replies to the log-in: OK, ERR, auth switch, more data', () => {
    expect(parseAuthReply(framePacket(2, Buffer.from([0, 0, 0, 2, 0, 0, 0])))).toEqual({kind: 'ok'});
    const denied = Buffer.concat([Buffer.from([0xff, 0x15, 0x04]), Buffer.from("#28000Access denied for user 'm'@'localhost'")]);
    expect(parseAuthReply(framePacket(2, denied))).toMatchObject({kind: 'error', code: 1045, sqlState: '28000'});
    const change = Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0'), Buffer.alloc(20, 1), Buffer.from([0])]);
    expect(parseAuthReply(framePacket(2, change))).toEqual({kind: 'switch', plugin: 'mysql_native_password', scramble: Buffer.alloc(20, 1)});
    expect(parseAuthReply(framePacket(2, Buffer.from([1, 4])))).toEqual({kind: 'more', data: Buffer.from([4])});
    expect(parseAuthReply(framePacket(2, Buffer.from([0x00])).subarray(0, 4))).toEqual({kind: 'incomplete'});
    expect(COM_QUIT.toString('hex')).toBe('0100000001');
  });
});
