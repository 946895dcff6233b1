import {createServer, createConnection, type Server, type Socket} from 'node:net';
import {
  canonicalAddress,
  connectionsTo,
  decodeProcAddress,
  parseProcNetTcp,
  readTcpSockets,
  socketInodes,
} from '../../../lib/sys/tcp-connections';

// Lines in the kernel's format (/proc/net/tcp and tcp6 on little-endian x86).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:B286 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 275005 1 00000000e730d4ff 100 0 0 10 0
   1: 0100007F:D431 0100007F:1628 01 00000000:00000000 00:00000000 00000000   101        0 4001 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:D432 0100007F:3D38 01 00000000:00000000 00:00000000 00000000   101        0 4002 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:D433 0100007F:1628 06 00000000:00000000 00:00000000 00000000   101        0 4003 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:D434 00000000000000000000000001000000:1628 01 00000000:00000000 00:00000000 00000000   101        0 6001 1 0000000000000000 20 4 30 10 -1
   1: 0000000000000000FFFF00000100007F:D435 0000000000000000FFFF00000200007F:1628 01 00000000:00000000 00:00000000 00000000   101        0 6002 1 0000000000000000 20 4 30 10 -1
`;

describe('/proc/net/tcp parsing', () => {
  test('addresses and ports decode (IPv4, IPv6, IPv4-mapped)', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeProcAddress('0000000000000000FFFF00000200007F')).toBe('127.0.0.2');
    expect(decodeProcAddress('B80D0120000000000000000001000000')).toBe('2001:db8::1');
    const [, established] = parseProcNetTcp(TCP);
    expect(established).toEqual({localAddress: '127.0.0.1', localPort: 0xd431, remoteAddress: '127.0.0.1', remotePort: 5672, state: 1, inode: 4001});
  });

  test('canonical forms compare equal', () => {
    expect(canonicalAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(canonicalAddress('broker')).toBe('broker');
  });
});

describe('matching connections to the broker', () => {
  const sockets = [...parseProcNetTcp(TCP), ...parseProcNetTcp(TCP6)];
  const all = new Set([275005, 4001, 4002, 4003, 6001, 6002]);

  test('the port matches exactly: 15672 is not 5672', () => {
    const found = connectionsTo(sockets, all, [{address: '127.0.0.1', port: 5672}]);
    expect(found.map((s) => s.inode)).toEqual([4001]);
    expect(connectionsTo(sockets, all, [{address: '127.0.0.1', port: 567}])).toEqual([]);
    expect(connectionsTo(sockets, all, [{address: '127.0.0.1', port: 15672}]).map((s) => s.inode)).toEqual([4002]);
  });

  test('only ESTABLISHED sockets of the tree count', () => {
    expect(connectionsTo(sockets, new Set([4003]), [{port: 5672}])).toEqual([]);
    expect(connectionsTo(sockets, new Set([4002]), [{port: 5672}])).toEqual([]);
  });

  test('IPv6 and IPv4-mapped peers match their address; no address means any', () => {
    expect(connectionsTo(sockets, all, [{address: '::1', port: 5672}]).map((s) => s.inode)).toEqual([6001]);
    expect(connectionsTo(sockets, all, [{address: '127.0.0.2', port: 5672}]).map((s) => s.inode)).toEqual([6002]);
    expect(connectionsTo(sockets, all, [{address: '0:0::1', port: 5672}]).map((s) => s.inode)).toEqual([6001]);
    expect(connectionsTo(sockets, all, [{port: 5672}]).map((s) => s.inode)).toEqual([4001, 6001, 6002]);
  });
});

describe('the live /proc of this process', () => {
  let server: Server;
  let client: Socket;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as {port: number};
    client = createConnection({host: '127.0.0.1', port});
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  test('finds its own ESTABLISHED connection through its fds', () => {
    const {port} = server.address() as {port: number};
    const found = connectionsTo(readTcpSockets(process.pid), socketInodes([process.pid]), [{address: '127.0.0.1', port}]);
    expect(found).toHaveLength(1);
    expect(found[0]?.localPort).toBe(client.localPort);
  });
});
