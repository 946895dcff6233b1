import {createServer, type AddressInfo, type Server, type Socket} from 'node:net';
import {encodeConnectionStart} from '../../../../lib/clients/amqp-frame';
import {describeProbe, portAcceptsConnections, probeAmqp} from '../../../../lib/clients/amqp-probe';
import {Deadline} from '../../../../lib/ocf/deadline';

// The probe against scripted TCP peers on 127.0.0.1 (real RabbitMQ: test/integration/rabbitmq.test.ts).
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(onConnection: (socket: Socket, header: Buffer) => void): Promise<number> {
  server = createServer((socket) => {
    socket.once('data', (header: Buffer) => onConnection(socket, header));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('connection.start after the 0-9-1 header, even split in pieces: ready, with product and version', async () => {
  let seen: Buffer | undefined;
  const port = await serve((socket, header) => {
    seen = header;
    const frame = encodeConnectionStart({product: 'RabbitMQ', version: '3.10.8', cluster_name: 'c1'});
    socket.write(frame.subarray(0, 9));
    setTimeout(() => socket.write(frame.subarray(9)), 20);
  });
  const result = await probeAmqp('127.0.0.1', port, Deadline.after(2000));
  expect(result).toEqual({kind: 'ready', product: 'RabbitMQ', version: '3.10.8', clusterName: 'c1', mechanisms: ['PLAIN', 'AMQPLAIN']});
  expect(seen?.toString('latin1', 0, 4)).toBe('AMQP');
  expect(describeProbe(result)).toBe('RabbitMQ 3.10.8 answers (cluster c1)');
});

test('a server answering with another protocol header, or closing, is a protocol failure', async () => {
  let port = await serve((socket) => socket.end(Buffer.from([0x41, 0x4d, 0x51, 0x50, 1, 1, 0, 10])));
  expect(await probeAmqp('127.0.0.1', port, Deadline.after(2000))).toEqual({kind: 'protocol', reason: `127.0.0.1:${port} refused AMQP 0-9-1 (it speaks 1-0-10)`});
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  port = await serve((socket) => socket.end());
  expect(await probeAmqp('127.0.0.1', port, Deadline.after(2000))).toMatchObject({kind: 'protocol', reason: expect.stringContaining('closed the connection')});
});

test('silence ends at the deadline; nothing listening is unreachable', async () => {
  const port = await serve(() => {});
  const started = Date.now();
  expect(await probeAmqp('127.0.0.1', port, Deadline.after(300))).toMatchObject({kind: 'timeout'});
  expect(Date.now() - started).toBeLessThan(1500);
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  server = undefined;
  expect(await probeAmqp('127.0.0.1', port, Deadline.after(1000))).toMatchObject({kind: 'unreachable', errno: 'ECONNREFUSED'});
  expect(await portAcceptsConnections('127.0.0.1', port, Deadline.after(1000))).toBe(false);
});
