import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {framePacket} from '../../../../lib/clients/mysql-packet';
import {
  comQuery,
  QueryResponse,
  readLengthEncoded,
  readLengthEncodedString,
  takePackets,
  type Packet,
} from '../../../../lib/clients/mysql-resultset';
import {integerLiteral, quoteIdentifier, textLiteral} from '../../../../lib/clients/mysql-sql';

// Real responses of MariaDB 10.11.19 over its unix socket, with and without
// CLIENT_DEPRECATE_EOF (test/fixtures/mysql/capture-query-responses.mjs).
interface Captured {
  server: string;
  eof: {responses: Record<string, {sql: string; hex: string}>};
  deprecateEof: {responses: Record<string, {sql: string; hex: string}>};
}
const captured = JSON.parse(readFileSync(join(__dirname, '../../../fixtures/mysql/query-responses.json'), 'utf8')) as Captured;
const MODES = [
  ['EOF packets', false, captured.eof.responses],
  ['CLIENT_DEPRECATE_EOF', true, captured.deprecateEof.responses],
] as const;

function packetsOf(hex: string): Packet[] {
  const taken = takePackets(Buffer.from(hex, 'hex'));
  if ('kind' in taken) throw new Error(taken.reason);
  expect(taken.rest).toHaveLength(0);
  return taken.packets;
}

// Feeds every packet; the result must come with the last one, not before.
function parse(hex: string, deprecateEof: boolean, keepRows?: number) {
  const packets = packetsOf(hex);
  const response = new QueryResponse({deprecateEof, ...(keepRows === undefined ? {} : {keepRows})});
  packets.slice(0, -1).forEach((packet) => expect(response.push(packet)).toBeUndefined());
  return response.push(packets.at(-1)!);
}

describe.each(MODES)('captured responses, %s', (_mode, deprecateEof, responses) => {
  test('the depth-10 read: one column, one row', () => {
    expect(parse(responses.select_test_table!.hex, deprecateEof)).toEqual({
      kind: 'rows',
      columns: [{name: '1', type: 3}],
      rows: [['1']],
      rowCount: 1,
      status: 0x22,
      warnings: 0,
    });
  });

  test('text, NULL, an integer, a 300-byte value (2-byte length) and an empty string', () => {
    const result = parse(responses.select_values!.hex, deprecateEof);
    expect(result).toMatchObject({kind: 'rows', rowCount: 1});
    if (result?.kind !== 'rows') throw new Error('no rows');
    expect(result.columns.map((c) => c.name)).toEqual(['t', 'n', 'i', 'long_text', 'empty']);
    expect(result.rows).toEqual([['hé', null, '42', 'x'.repeat(300), '']]);
  });

  test('no rows, and several rows with a NULL', () => {
    expect(parse(responses.select_empty!.hex, deprecateEof)).toMatchObject({kind: 'rows', columns: [{name: 'one'}], rows: [], rowCount: 0});
    expect(parse(responses.select_three_rows!.hex, deprecateEof)).toMatchObject({kind: 'rows', rows: [['1'], ['2'], [null]], rowCount: 3});
  });

  test('rows beyond keepRows are counted, not kept', () => {
    expect(parse(responses.select_three_rows!.hex, deprecateEof, 1)).toMatchObject({rows: [['1']], rowCount: 3});
  });

  test('ERR with its code, SQL state and message; SHUTDOWN without the privilege', () => {
    expect(parse(responses.no_such_table!.hex, deprecateEof)).toEqual({
      kind: 'error',
      code: 1142,
      sqlState: '42000',
      message: "SELECT command denied to user 'cap'@'localhost' for table `mysql`.`no_such_table`",
    });
    expect(parse(responses.shutdown_denied!.hex, deprecateEof)).toEqual({
      kind: 'error',
      code: 1227,
      sqlState: '42000',
      message: 'Access denied; you need (at least one of) the SHUTDOWN privilege(s) for this operation',
    });
  });

  test('OK', () => {
    expect(parse(responses.set_variable!.hex, deprecateEof)).toEqual({kind: 'ok', affectedRows: 0, lastInsertId: 0, status: 2, warnings: 0});
  });
});

describe('QueryResponse', () => {
  test('read in the wrong mode, a result set is invalid rather than misread', () => {
    const withEof = packetsOf(captured.eof.responses.select_test_table!.hex);
    const response = new QueryResponse({deprecateEof: true});
    const results = withEof.map((packet) => response.push(packet));
    // The EOF after the columns is taken for the end of the rows, and is too short for an OK packet.
    expect(results.find((r) => r !== undefined)).toEqual({kind: 'invalid', reason: 'OK packet truncated'});
    const without = packetsOf(captured.deprecateEof.responses.select_test_table!.hex);
    const strict = new QueryResponse({deprecateEof: false});
    expect(without.map((packet) => strict.push(packet)).find((r) => r !== undefined)).toEqual({
      kind: 'invalid',
      reason: 'no EOF packet after the column definitions',
    });
  });

  test('an OK packet with affected rows and an insert id (length-encoded)', () => {
    const ok = Buffer.from([0x00, 0xfc, 0x10, 0x27, 0x05, 0x02, 0x00, 0x01, 0x00]);
    expect(new QueryResponse({deprecateEof: false}).push({sequence: 1, payload: ok})).toEqual({
      kind: 'ok',
      affectedRows: 10000,
      lastInsertId: 5,
      status: 2,
      warnings: 1,
    });
  });

  test('an ERR in the middle of the rows ends the response with that error', () => {
    const packets = packetsOf(captured.eof.responses.select_three_rows!.hex).slice(0, 4);
    const response = new QueryResponse({deprecateEof: false});
    packets.forEach((packet) => expect(response.push(packet)).toBeUndefined());
    const killed = Buffer.concat([Buffer.from([0xff, 0x25, 0x07]), Buffer.from('#70100Query execution was interrupted')]);
    expect(response.push({sequence: 5, payload: killed})).toEqual({kind: 'error', code: 1829, sqlState: '70100', message: 'Query execution was interrupted'});
  });

  test('out of sequence, empty, LOCAL INFILE, several results and a truncated row are invalid', () => {
    expect(new QueryResponse({deprecateEof: false}).push({sequence: 2, payload: Buffer.from([0])})).toEqual({
      kind: 'invalid',
      reason: 'packet 2 out of sequence (expected 1)',
    });
    expect(new QueryResponse({deprecateEof: false}).push({sequence: 1, payload: Buffer.alloc(0)})).toMatchObject({kind: 'invalid'});
    expect(new QueryResponse({deprecateEof: false}).push({sequence: 1, payload: Buffer.from([0xfb, 0x41])})).toMatchObject({
      kind: 'invalid',
      reason: 'the server asked for a local file (LOCAL INFILE is not supported)',
    });
    const moreResults = Buffer.from([0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00]);
    expect(new QueryResponse({deprecateEof: false}).push({sequence: 1, payload: moreResults})).toMatchObject({kind: 'invalid'});
    const packets = packetsOf(captured.eof.responses.select_test_table!.hex);
    const response = new QueryResponse({deprecateEof: false});
    packets.slice(0, 3).forEach((packet) => response.push(packet));
    expect(response.push({sequence: 4, payload: Buffer.from([0x05, 0x31])})).toEqual({kind: 'invalid', reason: 'row 1 truncated'});
  });

  test('a row whose first value has an 8-byte length is a row, not an EOF', () => {
    const response = new QueryResponse({deprecateEof: false});
    response.push({sequence: 1, payload: Buffer.from([1])});
    response.push({sequence: 2, payload: packetsOf(captured.eof.responses.select_test_table!.hex)[1]!.payload});
    response.push({sequence: 3, payload: Buffer.from([0xfe, 0, 0, 0x22, 0])});
    const row = Buffer.concat([Buffer.from([0xfe, 2, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('ab')]);
    expect(response.push({sequence: 4, payload: row})).toBeUndefined();
    expect(response.push({sequence: 5, payload: Buffer.from([0xfe, 0, 0, 0x22, 0])})).toMatchObject({rows: [['ab']], rowCount: 1});
  });
});

describe('packets and fields', () => {
  test('takePackets keeps an incomplete packet for the next read and refuses 16 MiB payloads', () => {
    const bytes = Buffer.concat([framePacket(1, Buffer.from([1])), framePacket(2, Buffer.from('abc'))]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const taken = takePackets(bytes.subarray(0, cut));
      if ('kind' in taken) throw new Error(taken.reason);
      expect(taken.packets).toHaveLength(cut >= bytes.length ? 2 : cut >= 5 ? 1 : 0);
      expect(taken.rest).toHaveLength(cut - taken.packets.reduce((n, p) => n + 4 + p.payload.length, 0));
    }
    expect(takePackets(Buffer.from([0xff, 0xff, 0xff, 1, 0]))).toEqual({
      kind: 'invalid',
      reason: 'a packet of 16 MiB or more (split packets are not supported)',
    });
  });

  test('length-encoded integers and strings, NULL and truncations', () => {
    expect(readLengthEncoded(Buffer.from([0xfa]), 0)).toEqual({value: 250, next: 1});
    expect(readLengthEncoded(Buffer.from([0xfc, 0x2c, 0x01]), 0)).toEqual({value: 300, next: 3});
    expect(readLengthEncoded(Buffer.from([0xfd, 1, 0, 1]), 0)).toEqual({value: 65537, next: 4});
    expect(readLengthEncoded(Buffer.from([0xfe, 1, 0, 0, 0, 1, 0, 0, 0]), 0)).toEqual({value: 2 ** 32 + 1, next: 9});
    expect(readLengthEncoded(Buffer.from([0xfc, 1]), 0)).toBeUndefined();
    expect(readLengthEncoded(Buffer.from([0xff]), 0)).toBeUndefined();
    expect(readLengthEncodedString(Buffer.from([0xfb]), 0)).toEqual({value: null, next: 1});
    expect(readLengthEncodedString(Buffer.from([3, 0x61, 0x62]), 0)).toBeUndefined();
  });

  test('COM_QUERY is command 3 at sequence 0, in UTF-8', () => {
    expect(comQuery('SELECT é').toString('hex')).toBe(`0a00000003${Buffer.from('SELECT é').toString('hex')}`);
  });
});

describe('statement literals', () => {
  test('text as a utf8mb4 hex literal, whatever it holds', () => {
    expect(textLiteral("n'o\\de`\"")).toBe(`_utf8mb4 X'${Buffer.from("n'o\\de`\"").toString('hex')}'`);
    expect(textLiteral('')).toBe("_utf8mb4 X''");
  });

  test('integers and identifiers are checked', () => {
    expect(integerLiteral(4242)).toBe('4242');
    expect(() => integerLiteral(1.5)).toThrow(TypeError);
    expect(() => integerLiteral(Number.NaN)).toThrow(TypeError);
    expect(quoteIdentifier('hacloud$1')).toBe('`hacloud$1`');
    for (const bad of ['', 'a`b', 'a.b', 'a b', 'x'.repeat(65)]) expect(() => quoteIdentifier(bad)).toThrow(TypeError);
  });
});
