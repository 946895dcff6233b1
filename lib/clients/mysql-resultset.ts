// The text protocol after the log-in, as pure functions over bytes: splitting
// a byte stream into packets, COM_QUERY, and the server's response to it (OK,
// ERR, or a result set with its column definitions, rows and end marker).
// Reference: MariaDB "COM_QUERY", "Result Set Packets", "OK_Packet" and
// "EOF_Packet" pages of the client/server protocol.
import {framePacket, HEADER_BYTES, parseErr, type ErrPacket} from './mysql-packet';

// A payload of exactly this many bytes continues in the next packet: values
// of 16 MiB or more, which nothing here sends or expects.
export const MAX_PAYLOAD = 0xffffff;

export interface Packet {
  sequence: number;
  payload: Buffer;
}

export type Invalid = {kind: 'invalid'; reason: string};

// The complete packets at the start of `bytes`, and the bytes of the next,
// incomplete one. A payload of 16 MiB or more is refused (rather than waited for).
export function takePackets(bytes: Buffer): {packets: Packet[]; rest: Buffer} | Invalid {
  const packets: Packet[] = [];
  let at = 0;
  while (bytes.length - at >= HEADER_BYTES) {
    const length = (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16);
    if (length === MAX_PAYLOAD) return {kind: 'invalid', reason: 'a packet of 16 MiB or more (split packets are not supported)'};
    if (bytes.length - at < HEADER_BYTES + length) break;
    packets.push({sequence: bytes[at + 3] as number, payload: bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length)});
    at += HEADER_BYTES + length;
  }
  return {packets, rest: at === 0 ? bytes : bytes.subarray(at)};
}

// COM_QUERY: a new command, so sequence 0; the statement in UTF-8 (the
// connection's character set is utf8mb4, see handshakeResponse).
export function comQuery(sql: string): Buffer {
  const payload = Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]);
  if (payload.length >= MAX_PAYLOAD) throw new RangeError('statement of 16 MiB or more');
  return framePacket(0, payload);
}

// A length-encoded integer at `at`: its value and where the next field
// starts; null for 0xfb (NULL in a row), undefined when truncated or 0xff.
export function readLengthEncoded(payload: Buffer, at: number): {value: number | null; next: number} | undefined {
  const first = payload[at];
  if (first === undefined) return undefined;
  if (first < 0xfb) return {value: first, next: at + 1};
  if (first === 0xfb) return {value: null, next: at + 1};
  const size = first === 0xfc ? 2 : first === 0xfd ? 3 : first === 0xfe ? 8 : 0;
  if (size === 0 || at + 1 + size > payload.length) return undefined;
  const value = size === 8 ? Number(payload.readBigUInt64LE(at + 1)) : payload.readUIntLE(at + 1, size);
  return {value, next: at + 1 + size};
}

// A length-encoded string (NULL as null): its text and where the next field starts.
export function readLengthEncodedString(payload: Buffer, at: number): {value: string | null; next: number} | undefined {
  const length = readLengthEncoded(payload, at);
  if (!length) return undefined;
  if (length.value === null) return {value: null, next: length.next};
  const end = length.next + length.value;
  if (end > payload.length) return undefined;
  return {value: payload.toString('utf8', length.next, end), next: end};
}

// Status flag: another result follows (multi-statements, stored procedures).
const SERVER_MORE_RESULTS_EXISTS = 0x0008;

export interface OkPacket {
  kind: 'ok';
  affectedRows: number;
  lastInsertId: number;
  status: number;
  warnings: number;
}

// OK_Packet (header 0x00, or 0xfe when it ends a result set under
// CLIENT_DEPRECATE_EOF): affected rows, last insert id, status, warnings.
export function parseOk(payload: Buffer): OkPacket | Invalid {
  const affected = readLengthEncoded(payload, 1);
  const insertId = affected && readLengthEncoded(payload, affected.next);
  if (!insertId || insertId.next + 4 > payload.length) return {kind: 'invalid', reason: 'OK packet truncated'};
  return {
    kind: 'ok',
    affectedRows: affected.value ?? 0,
    lastInsertId: insertId.value ?? 0,
    status: payload.readUInt16LE(insertId.next),
    warnings: payload.readUInt16LE(insertId.next + 2),
  };
}

export interface Column {
  name: string;
  // MYSQL_TYPE_* (3 LONG, 8 LONGLONG, 253 VAR_STRING ...).
  type: number;
}

// Column Definition (protocol 4.1): catalog, schema, table, original table,
// name, original name (length-encoded strings), then fixed fields of which
// the type (after charset and length) is kept.
export function parseColumn(payload: Buffer): Column | Invalid {
  let at = 0;
  let name: string | null = null;
  for (let field = 0; field < 6; field++) {
    const text = readLengthEncodedString(payload, at);
    if (!text) return {kind: 'invalid', reason: 'column definition truncated'};
    if (field === 4) name = text.value;
    at = text.next;
  }
  // Length of the fixed fields (0x0c), charset (2), column length (4), type.
  const type = payload[at + 7];
  if (type === undefined) return {kind: 'invalid', reason: 'column definition truncated'};
  return {name: name ?? '', type};
}

export interface Rows {
  kind: 'rows';
  columns: Column[];
  // Every row's values as text (NULL as null), the first `keepRows` rows only.
  rows: (string | null)[][];
  rowCount: number;
  status: number;
  warnings: number;
}

export type QueryResult = OkPacket | ErrPacket | Rows;

// Where a result set stands: its column count and definitions, the EOF after
// them (without CLIENT_DEPRECATE_EOF), the rows, and the end marker.
type Stage = {at: 'start'} | {at: 'columns'; count: number} | {at: 'columns-eof'} | {at: 'rows'};

// The response to one COM_QUERY, fed packet by packet (a result set spans
// many). `deprecateEof` must say whether CLIENT_DEPRECATE_EOF was negotiated:
// without it an EOF packet follows the column definitions and ends the rows;
// with it there is none after the columns, and an OK packet with header 0xfe
// ends the rows. Rows beyond `keepRows` are counted, not kept.
export class QueryResponse {
  private stage: Stage = {at: 'start'};
  private readonly columns: Column[] = [];
  private readonly rows: (string | null)[][] = [];
  private rowCount = 0;
  // The reply to COM_QUERY (sequence 0) starts at 1 and counts up, modulo 256.
  private sequence = 1;

  constructor(private readonly options: {deprecateEof: boolean; keepRows?: number}) {}

  // The result once its last packet has arrived; undefined while more are due.
  push(packet: Packet): QueryResult | Invalid | undefined {
    if (packet.sequence !== this.sequence) {
      return {kind: 'invalid', reason: `packet ${packet.sequence} out of sequence (expected ${this.sequence})`};
    }
    this.sequence = (this.sequence + 1) & 0xff;
    const {payload} = packet;
    const first = payload[0];
    if (first === undefined) return {kind: 'invalid', reason: 'empty packet in a query response'};
    // An error can end the response at any point (a query killed mid-result).
    if (first === 0xff) return parseErr(payload);
    switch (this.stage.at) {
      case 'start':
        return this.onFirst(payload);
      case 'columns': {
        const column = parseColumn(payload);
        if ('kind' in column) return column;
        this.columns.push(column);
        if (this.columns.length === this.stage.count) this.stage = this.options.deprecateEof ? {at: 'rows'} : {at: 'columns-eof'};
        return undefined;
      }
      case 'columns-eof':
        if (!isEof(payload)) return {kind: 'invalid', reason: 'no EOF packet after the column definitions'};
        this.stage = {at: 'rows'};
        return undefined;
      case 'rows':
        return this.onRow(payload);
    }
  }

  private onFirst(payload: Buffer): QueryResult | Invalid | undefined {
    switch (payload[0]) {
      case 0x00:
        return single(parseOk(payload));
      case 0xfb:
        return {kind: 'invalid', reason: 'the server asked for a local file (LOCAL INFILE is not supported)'};
      default: {
        const count = readLengthEncoded(payload, 0);
        if (!count || !count.value || count.next !== payload.length) return {kind: 'invalid', reason: 'bad column count in a result set'};
        this.stage = {at: 'columns', count: count.value};
        return undefined;
      }
    }
  }

  private onRow(payload: Buffer): QueryResult | Invalid | undefined {
    if (this.options.deprecateEof ? payload[0] === 0xfe && payload.length < MAX_PAYLOAD : isEof(payload)) return this.end(payload);
    this.rowCount++;
    if (this.rowCount > (this.options.keepRows ?? 100)) return undefined;
    const row: (string | null)[] = [];
    let at = 0;
    for (let i = 0; i < this.columns.length; i++) {
      const value = readLengthEncodedString(payload, at);
      if (!value) return {kind: 'invalid', reason: `row ${this.rowCount} truncated`};
      row.push(value.value);
      at = value.next;
    }
    if (at !== payload.length) return {kind: 'invalid', reason: `row ${this.rowCount} longer than its ${this.columns.length} columns`};
    this.rows.push(row);
    return undefined;
  }

  // The end marker: an EOF packet (warnings, status) or, with
  // CLIENT_DEPRECATE_EOF, an OK packet with header 0xfe.
  private end(payload: Buffer): Rows | Invalid {
    let status: number;
    let warnings: number;
    if (this.options.deprecateEof) {
      const ok = parseOk(payload);
      if (ok.kind === 'invalid') return ok;
      ({status, warnings} = ok);
    } else {
      if (payload.length < 5) return {kind: 'invalid', reason: 'EOF packet truncated'};
      warnings = payload.readUInt16LE(1);
      status = payload.readUInt16LE(3);
    }
    if (status & SERVER_MORE_RESULTS_EXISTS) return {kind: 'invalid', reason: 'several result sets (not supported)'};
    return {kind: 'rows', columns: this.columns, rows: this.rows, rowCount: this.rowCount, status, warnings};
  }
}

// EOF_Packet: header 0xfe and less than 9 bytes (a row can start with 0xfe
// too: an 8-byte length, so at least 9 bytes).
const isEof = (payload: Buffer): boolean => payload[0] === 0xfe && payload.length < 9;

function single(ok: OkPacket | Invalid): OkPacket | Invalid {
  if (ok.kind === 'ok' && ok.status & SERVER_MORE_RESULTS_EXISTS) return {kind: 'invalid', reason: 'several results (not supported)'};
  return ok;
}
