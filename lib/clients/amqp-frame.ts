// The few AMQP 0-9-1 bytes the level-0 probe needs, as pure functions: the
// protocol header a client sends first, and the server's first frame — a
// connection.start method (class 10, method 10) — or, when it does not
// accept the header, its own protocol header before it closes.
// Reference: AMQP 0-9-1 specification §4.2.3 (frames), §4.2.5.5 (field tables).

// "AMQP" 0 0 9 1: protocol id 0, version 0-9-1.
export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const FRAME_HEADER_BYTES = 7;
const CONNECTION_CLASS = 10;
const START_METHOD = 10;

export type FieldValue = string | number | boolean | bigint | null | Buffer | FieldTable | FieldValue[];
export interface FieldTable {
  [key: string]: FieldValue;
}

export interface ConnectionStart {
  kind: 'start';
  versionMajor: number;
  versionMinor: number;
  serverProperties: FieldTable;
  mechanisms: string[];
  locales: string[];
}

export type ServerOpening =
  | ConnectionStart
  // The server does not speak the version we asked for and says which it does.
  | {kind: 'header'; version: string}
  // Fewer bytes than the frame needs: read more.
  | {kind: 'incomplete'}
  | {kind: 'invalid'; reason: string};

// What the server sent first, from the bytes received so far.
export function parseServerOpening(bytes: Buffer): ServerOpening {
  if (bytes.length >= 4 && bytes.toString('latin1', 0, 4) === 'AMQP') {
    if (bytes.length < 8) return {kind: 'incomplete'};
    return {kind: 'header', version: `${bytes[5]}-${bytes[6]}-${bytes[7]}`};
  }
  if (bytes.length < FRAME_HEADER_BYTES) return {kind: 'incomplete'};
  const type = bytes[0] as number;
  const channel = bytes.readUInt16BE(1);
  const size = bytes.readUInt32BE(3);
  if (type !== FRAME_METHOD) return {kind: 'invalid', reason: `first frame has type ${type}, expected a method frame`};
  if (channel !== 0) return {kind: 'invalid', reason: `first frame is on channel ${channel}, expected 0`};
  if (bytes.length < FRAME_HEADER_BYTES + size + 1) return {kind: 'incomplete'};
  if (bytes[FRAME_HEADER_BYTES + size] !== FRAME_END) return {kind: 'invalid', reason: 'frame does not end with 0xCE'};
  return parseStartMethod(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + size));
}

function parseStartMethod(payload: Buffer): ServerOpening {
  if (payload.length < 6) return {kind: 'invalid', reason: 'method frame truncated'};
  const classId = payload.readUInt16BE(0);
  const methodId = payload.readUInt16BE(2);
  if (classId !== CONNECTION_CLASS || methodId !== START_METHOD) {
    return {kind: 'invalid', reason: `first method is ${classId}.${methodId}, expected connection.start (10.10)`};
  }
  try {
    const reader = new Reader(payload, 4);
    const versionMajor = reader.octet();
    const versionMinor = reader.octet();
    const serverProperties = reader.table();
    const mechanisms = reader.longString().toString('utf8').split(' ').filter(Boolean);
    const locales = reader.longString().toString('utf8').split(' ').filter(Boolean);
    return {kind: 'start', versionMajor, versionMinor, serverProperties, mechanisms, locales};
  } catch (error) {
    return {kind: 'invalid', reason: `connection.start: ${(error as Error).message}`};
  }
}

// A bounds-checked cursor over a method payload.
class Reader {
  constructor(
    private readonly bytes: Buffer,
    private at: number,
  ) {}

  private take(n: number): number {
    if (this.at + n > this.bytes.length) throw new Error(`truncated at byte ${this.at} (wanted ${n} more)`);
    const start = this.at;
    this.at += n;
    return start;
  }

  octet(): number {
    return this.bytes[this.take(1)] as number;
  }

  shortString(): string {
    const length = this.octet();
    const start = this.take(length);
    return this.bytes.toString('utf8', start, start + length);
  }

  longString(): Buffer {
    const length = this.bytes.readUInt32BE(this.take(4));
    const start = this.take(length);
    return this.bytes.subarray(start, start + length);
  }

  table(): FieldTable {
    const body = new Reader(this.longString(), 0);
    const table: FieldTable = {};
    while (!body.done()) {
      const key = body.shortString();
      table[key] = body.value();
    }
    return table;
  }

  done(): boolean {
    return this.at >= this.bytes.length;
  }

  // One typed field value (the type letters RabbitMQ and the 0-9-1 errata use).
  value(): FieldValue {
    const type = String.fromCharCode(this.octet());
    const b = this.bytes;
    switch (type) {
      case 't':
        return this.octet() !== 0;
      case 'b':
        return b.readInt8(this.take(1));
      case 'B':
        return this.octet();
      case 's':
        return b.readInt16BE(this.take(2));
      case 'u':
        return b.readUInt16BE(this.take(2));
      case 'I':
        return b.readInt32BE(this.take(4));
      case 'i':
        return b.readUInt32BE(this.take(4));
      case 'l':
        return b.readBigInt64BE(this.take(8));
      case 'f':
        return b.readFloatBE(this.take(4));
      case 'd':
        return b.readDoubleBE(this.take(8));
      case 'D': {
        const scale = this.octet();
        return b.readInt32BE(this.take(4)) / 10 ** scale;
      }
      case 'T':
        return b.readBigUInt64BE(this.take(8));
      case 'S':
        return this.longString().toString('utf8');
      case 'x':
        return Buffer.from(this.longString());
      case 'F':
        return this.table();
      case 'A': {
        const body = new Reader(this.longString(), 0);
        const values: FieldValue[] = [];
        while (!body.done()) values.push(body.value());
        return values;
      }
      case 'V':
        return null;
      default:
        throw new Error(`unknown field type ${JSON.stringify(type)}`);
    }
  }
}

// A string property of connection.start ("product", "version", "cluster_name").
export const stringProperty = (start: ConnectionStart, name: string): string | undefined => {
  const value = start.serverProperties[name];
  return typeof value === 'string' ? value : undefined;
};

// Builds a connection.start frame: for tests, and for fake servers in tests.
export function encodeConnectionStart(properties: Record<string, string | boolean | Record<string, boolean>>, mechanisms = 'PLAIN AMQPLAIN', locales = 'en_US'): Buffer {
  const table = encodeTable(properties);
  const longString = (s: string) => {
    const body = Buffer.from(s, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, body]);
  };
  const payload = Buffer.concat([Buffer.from([0, CONNECTION_CLASS, 0, START_METHOD, 0, 9]), table, longString(mechanisms), longString(locales)]);
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header[0] = FRAME_METHOD;
  header.writeUInt32BE(payload.length, 3);
  return Buffer.concat([header, payload, Buffer.from([FRAME_END])]);
}

function encodeTable(entries: Record<string, string | boolean | Record<string, boolean>>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(entries)) {
    const name = Buffer.from(key, 'utf8');
    parts.push(Buffer.from([name.length]), name);
    if (typeof value === 'boolean') {
      parts.push(Buffer.from([0x74, value ? 1 : 0]));
    } else if (typeof value === 'string') {
      const body = Buffer.from(value, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      parts.push(Buffer.from([0x53]), length, body);
    } else {
      parts.push(Buffer.from([0x46]), encodeTable(value));
    }
  }
  const body = Buffer.concat(parts);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}
