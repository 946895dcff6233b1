import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {encodeConnectionStart, parseServerOpening, PROTOCOL_HEADER, stringProperty} from '../../../../lib/clients/amqp-frame';
import {parseNames} from '../../../../lib/clients/epmd';

// connection.start as RabbitMQ 3.10.8 (Debian 12) sends it, captured from a real node.
const CAPTURED = Buffer.from(readFileSync(join(__dirname, '../../../fixtures/rabbitmq/connection-start-3.10.8.hex'), 'utf8').trim(), 'hex');

describe('parseServerOpening', () => {
  test('the protocol header is AMQP 0-9-1', () => {
    expect(PROTOCOL_HEADER.toString('latin1', 0, 4)).toBe('AMQP');
    expect([...PROTOCOL_HEADER.subarray(4)]).toEqual([0, 0, 9, 1]);
  });

  test("RabbitMQ 3.10.8's connection.start: version, product, capabilities, mechanisms", () => {
    const opening = parseServerOpening(CAPTURED);
    if (opening.kind !== 'start') throw new Error(`parsed as ${opening.kind}`);
    expect([opening.versionMajor, opening.versionMinor]).toEqual([0, 9]);
    expect(stringProperty(opening, 'product')).toBe('RabbitMQ');
    expect(stringProperty(opening, 'version')).toBe('3.10.8');
    expect(stringProperty(opening, 'cluster_name')).toBe('hctbench@vm');
    expect(opening.serverProperties.capabilities).toMatchObject({publisher_confirms: true, 'connection.blocked': true});
    expect(opening.mechanisms).toEqual(['AMQPLAIN', 'PLAIN']);
    expect(opening.locales).toEqual(['en_US']);
  });

  test('every prefix of a frame is incomplete, never invalid', () => {
    for (let n = 0; n < CAPTURED.length; n++) expect(parseServerOpening(CAPTURED.subarray(0, n)).kind).toBe('incomplete');
  });

  test('a server that wants another protocol version answers with its header', () => {
    expect(parseServerOpening(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]))).toEqual({kind: 'header', version: '0-9-1'});
    expect(parseServerOpening(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1]))).toEqual({kind: 'incomplete'});
  });

  test('frames that are not connection.start are invalid, with the reason', () => {
    const frame = encodeConnectionStart({product: 'X'});
    const wrongType = Buffer.from(frame);
    wrongType[0] = 3;
    expect(parseServerOpening(wrongType)).toEqual({kind: 'invalid', reason: 'first frame has type 3, expected a method frame'});
    const wrongChannel = Buffer.from(frame);
    wrongChannel[2] = 1;
    expect(parseServerOpening(wrongChannel)).toMatchObject({kind: 'invalid', reason: expect.stringContaining('channel 1')});
    const wrongEnd = Buffer.from(frame);
    wrongEnd[wrongEnd.length - 1] = 0;
    expect(parseServerOpening(wrongEnd)).toMatchObject({kind: 'invalid', reason: 'frame does not end with 0xCE'});
    const wrongMethod = Buffer.from(frame);
    wrongMethod[10] = 11;
    expect(parseServerOpening(wrongMethod)).toMatchObject({kind: 'invalid', reason: expect.stringContaining('10.11')});
    expect(parseServerOpening(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toMatchObject({kind: 'invalid'});
  });

  test('a field table whose length runs past the frame is invalid, not a crash', () => {
    const frame = encodeConnectionStart({product: 'RabbitMQ'});
    const broken = Buffer.from(frame);
    broken.writeUInt32BE(0xffff, 13);
    expect(parseServerOpening(broken)).toMatchObject({kind: 'invalid', reason: expect.stringContaining('truncated')});
  });

  test('unknown field types are reported', () => {
    const frame = encodeConnectionStart({a: 'b'});
    const at = frame.indexOf(Buffer.from([0x01, 0x61, 0x53]));
    frame[at + 2] = 0x3f;
    expect(parseServerOpening(frame)).toMatchObject({kind: 'invalid', reason: expect.stringContaining('unknown field type')});
  });
});

describe('epmd NAMES_RESP', () => {
  test('names and ports after the 4-byte epmd port', () => {
    const body = Buffer.concat([Buffer.from([0, 0, 0x11, 0x11]), Buffer.from('name hct1 at port 25680\nname rabbitmqcli-1-rabbit at port 35672\n')]);
    expect(parseNames(body)).toEqual([
      {name: 'hct1', port: 25680},
      {name: 'rabbitmqcli-1-rabbit', port: 35672},
    ]);
    expect(parseNames(Buffer.from([0, 0, 0x11, 0x11]))).toEqual([]);
  });
});
