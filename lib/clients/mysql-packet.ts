// The MySQL/MariaDB wire-protocol packets of the connection phase, as pure
// functions over bytes: the server's initial handshake (protocol v10), ERR,
// OK and auth-switch packets, and the client's handshake response. Queries
// and their results: mysql-resultset.ts; the socket: mysql-ping.ts.
// Reference: MariaDB "Connection" and "ERR_Packet" pages of the client/server protocol.

export const HEADER_BYTES = 4;

// Capability flags the ping announces (MySQL CLIENT_* constants).
const CLIENT_LONG_PASSWORD = 0x1;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_TRANSACTIONS = 0x2000;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;
// Not announced (so never in effect): CLIENT_DEPRECATE_EOF (the server sends
// EOF packets in result sets), CLIENT_MULTI_STATEMENTS, CLIENT_LOCAL_FILES.
export const CLIENT_DEPRECATE_EOF = 0x1000000;
export const PING_CAPABILITIES =
  CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;

// Whether a capability is in effect: announced by both sides.
export const negotiated = (flag: number, serverCapabilities: number | undefined): boolean =>
  (PING_CAPABILITIES & flag) !== 0 && ((serverCapabilities ?? 0) & flag) !== 0;

export interface Greeting {
  kind: 'greeting';
  protocol: number;
  // As sent; MariaDB prefixes "5.5.5-" for old clients (see displayVersion).
  serverVersion: string;
  threadId: number;
  // The server's capability flags, when the greeting holds them.
  capabilities?: number;
  // auth-plugin-data parts 1 and 2 (20 bytes for mysql_native_password), when present.
  scramble?: Buffer;
  authPlugin?: string;
}

export interface ErrPacket {
  kind: 'error';
  code: number;
  sqlState?: string;
  message: string;
}

export type ServerHello =
  | Greeting
  | ErrPacket
  // Fewer bytes than the packet's length says: read more.
  | {kind: 'incomplete'}
  | {kind: 'invalid'; reason: string};

// Length of the first packet's payload, or undefined with fewer than 4 bytes.
export const payloadLength = (bytes: Uint8Array): number | undefined =>
  bytes.length < HEADER_BYTES ? undefined : (bytes[0] as number) | ((bytes[1] as number) << 8) | ((bytes[2] as number) << 16);

// The first packet's payload when all of it has arrived.
export function firstPayload(bytes: Buffer): Buffer | undefined {
  const length = payloadLength(bytes);
  if (length === undefined || bytes.length < HEADER_BYTES + length) return undefined;
  return bytes.subarray(HEADER_BYTES, HEADER_BYTES + length);
}

// What the server says first on a new connection: a v10 greeting, or an ERR
// packet when it refuses the connection before any handshake (MySQL sends
// 1040 "Too many connections" and 1129 "Host is blocked" that way).
export function parseServerHello(bytes: Buffer): ServerHello {
  const payload = firstPayload(bytes);
  return payload === undefined ? {kind: 'incomplete'} : parseGreeting(payload);
}

// The same for one packet's payload.
export function parseGreeting(payload: Buffer): Exclude<ServerHello, {kind: 'incomplete'}> {
  if (payload.length === 0) return {kind: 'invalid', reason: 'empty packet'};
  const first = payload[0] as number;
  if (first === 0xff) return parseErr(payload);
  if (first !== 10) return {kind: 'invalid', reason: `protocol version ${first}, expected 10`};
  const versionEnd = payload.indexOf(0, 1);
  if (versionEnd < 0 || versionEnd + 5 > payload.length) return {kind: 'invalid', reason: 'greeting truncated in the server version'};
  const greeting: Greeting = {
    kind: 'greeting',
    protocol: 10,
    serverVersion: payload.toString('latin1', 1, versionEnd),
    threadId: payload.readUInt32LE(versionEnd + 1),
  };
  // auth-plugin-data-part-1 (8) and a filler byte, then capabilities (2),
  // charset (1), status (2), upper capabilities (2), auth data length (1),
  // 10 reserved bytes, then part 2 (NUL-terminated) and the plugin name.
  let at = versionEnd + 5;
  if (payload.length < at + 9) return greeting;
  const part1 = payload.subarray(at, at + 8);
  at += 9;
  if (payload.length < at + 2) return {...greeting, scramble: Buffer.from(part1)};
  const capabilities = (payload.readUInt16LE(at) | (payload.length >= at + 7 ? payload.readUInt16LE(at + 5) << 16 : 0)) >>> 0;
  greeting.capabilities = capabilities;
  const authDataLength = payload.length > at + 7 ? (payload[at + 7] as number) : 0;
  at += 18;
  if (!(capabilities & CLIENT_SECURE_CONNECTION) || payload.length <= at) return {...greeting, scramble: Buffer.from(part1)};
  const part2Length = Math.max(13, authDataLength - 8);
  const part2 = payload.subarray(at, Math.min(payload.length, at + part2Length));
  // part 2 ends with a NUL that is not part of the scramble.
  const part2End = part2.indexOf(0);
  const scramble = Buffer.concat([part1, part2End < 0 ? part2 : part2.subarray(0, part2End)]);
  at += part2Length;
  if (capabilities & CLIENT_PLUGIN_AUTH && at < payload.length) {
    const nameEnd = payload.indexOf(0, at);
    greeting.authPlugin = payload.toString('latin1', at, nameEnd < 0 ? payload.length : nameEnd);
  }
  return {...greeting, scramble};
}

// ERR_Packet: 0xff, error code (2 bytes), then "#" and a 5-character SQL
// state when the protocol 4.1 was negotiated (not before the handshake), the message.
export function parseErr(payload: Buffer): ErrPacket | {kind: 'invalid'; reason: string} {
  if (payload.length < 3) return {kind: 'invalid', reason: 'ERR packet truncated'};
  const code = payload.readUInt16LE(1);
  if (payload.length >= 9 && payload[3] === 0x23 /* # */) {
    return {kind: 'error', code, sqlState: payload.toString('latin1', 4, 9), message: payload.toString('utf8', 9)};
  }
  return {kind: 'error', code, message: payload.toString('utf8', 3)};
}

// The server's reply to the handshake response.
export type AuthReply =
  | {kind: 'ok'}
  | ErrPacket
  | {kind: 'switch'; plugin: string; scramble: Buffer}
  // More data for the current plugin (caching_sha2_password and the like).
  | {kind: 'more'; data: Buffer}
  | {kind: 'incomplete'}
  | {kind: 'invalid'; reason: string};

export function parseAuthReply(bytes: Buffer): AuthReply {
  const payload = firstPayload(bytes);
  return payload === undefined ? {kind: 'incomplete'} : parseAuthPayload(payload);
}

// The same for one packet's payload.
export function parseAuthPayload(payload: Buffer): Exclude<AuthReply, {kind: 'incomplete'}> {
  switch (payload[0]) {
    case 0x00:
      return {kind: 'ok'};
    case 0xff:
      return parseErr(payload);
    case 0xfe: {
      const nameEnd = payload.indexOf(0, 1);
      if (nameEnd < 0) return {kind: 'switch', plugin: payload.toString('latin1', 1), scramble: Buffer.alloc(0)};
      let data = payload.subarray(nameEnd + 1);
      if (data.at(-1) === 0) data = data.subarray(0, -1);
      return {kind: 'switch', plugin: payload.toString('latin1', 1, nameEnd), scramble: Buffer.from(data)};
    }
    case 0x01:
      return {kind: 'more', data: Buffer.from(payload.subarray(1))};
    default:
      return {kind: 'invalid', reason: `unexpected reply 0x${(payload[0] ?? 0).toString(16)} to the handshake response`};
  }
}

// One packet: 3-byte length, sequence number, payload.
export function framePacket(sequence: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence & 0xff;
  return Buffer.concat([header, payload]);
}

// HandshakeResponse41 for mysql_native_password: capabilities, max packet
// size, charset utf8mb4, 23 zero bytes, user, the scrambled password, plugin name.
export function handshakeResponse(user: string, authResponse: Buffer): Buffer {
  const fixed = Buffer.alloc(32);
  fixed.writeUInt32LE(PING_CAPABILITIES, 0);
  fixed.writeUInt32LE(1 << 24, 4);
  fixed[8] = 45; // utf8mb4_general_ci
  return framePacket(
    1,
    Buffer.concat([
      fixed,
      Buffer.from(`${user}\0`, 'utf8'),
      Buffer.from([authResponse.length]),
      authResponse,
      Buffer.from('mysql_native_password\0', 'latin1'),
    ]),
  );
}

// COM_QUIT: ends an authenticated session cleanly (the server logs nothing).
export const COM_QUIT = framePacket(0, Buffer.from([0x01]));

// mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))),
// empty for an empty password. `sha1` is injected so this file loads no crypto.
export function nativePasswordToken(password: string, scramble: Buffer, sha1: (data: Buffer) => Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const stage2 = sha1(stage1);
  const mix = sha1(Buffer.concat([scramble.subarray(0, 20), stage2]));
  return Buffer.from(stage1.map((byte, i) => byte ^ (mix[i] as number)));
}

// caching_sha2_password (MySQL 8's default) without SHA-256: a first
// response of 32 bytes that cannot match the server's fast-auth scramble
// (empty for an empty password), so the server asks for the full
// authentication, and then the password itself, which MySQL accepts only
// over a secure transport — a unix socket is one. The server's verdict
// follows as usual (OK or ERR).
export const CACHING_SHA2_FAST_AUTH_OK = 0x03;
export const CACHING_SHA2_FULL_AUTH = 0x04;
export const cachingSha2FirstResponse = (password: string): Buffer => (password === '' ? Buffer.alloc(0) : Buffer.alloc(32));
export const cleartextPassword = (password: string): Buffer => Buffer.from(`${password}\0`, 'utf8');

// "5.5.5-10.11.19-MariaDB-0+deb12u1" → "10.11.19-MariaDB-0+deb12u1".
export const displayVersion = (serverVersion: string): string => serverVersion.replace(/^5\.5\.5-/, '');
