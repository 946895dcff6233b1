import {readdirSync, readFileSync, readlinkSync} from 'node:fs';
import {formatAddress, parseAddress} from './net/ip-address';

// One row of /proc/<pid>/net/tcp or tcp6.
export interface TcpSocket {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  // The kernel's state number (1 = ESTABLISHED, 10 = LISTEN).
  state: number;
  inode: number;
}

export const TCP_ESTABLISHED = 1;

// An address of /proc/net/tcp[6]: hex, each 32-bit word in host byte order
// (little-endian here). IPv4-mapped IPv6 addresses come out as IPv4.
export function decodeProcAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const chunk = hex.slice(word, word + 8);
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(chunk.slice(i, i + 2), 16));
  }
  return canonicalAddress(formatAddress(bytes.length === 4 ? {family: 4, bytes} : {family: 6, bytes}));
}

// The canonical text of an address, IPv4-mapped IPv6 as plain IPv4, for
// comparing addresses written differently. Text that is no address is returned as is.
export function canonicalAddress(text: string): string {
  const address = parseAddress(text);
  if (!address) return text;
  const b = address.bytes;
  if (address.family === 6 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return b.slice(12).join('.');
  }
  return formatAddress(address);
}

// Parses the table of /proc/<pid>/net/tcp or tcp6 (the header line skipped).
export function parseProcNetTcp(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [local, remote, state, inode] = [fields[1], fields[2], fields[3], fields[9]];
    const [la, lp] = (local ?? '').split(':');
    const [ra, rp] = (remote ?? '').split(':');
    if (!la || !lp || !ra || !rp) continue;
    sockets.push({
      localAddress: decodeProcAddress(la),
      localPort: parseInt(lp, 16),
      remoteAddress: decodeProcAddress(ra),
      remotePort: parseInt(rp, 16),
      state: parseInt(state ?? '0', 16),
      inode: Number(inode),
    });
  }
  return sockets;
}

export interface Endpoint {
  // Any address when undefined.
  address?: string;
  port: number;
}

// The ESTABLISHED sockets among `sockets` that belong to `inodes` and go
// to one of `endpoints`: the port exactly, the address after canonicalising.
export function connectionsTo(sockets: readonly TcpSocket[], inodes: ReadonlySet<number>, endpoints: readonly Endpoint[]): TcpSocket[] {
  const wanted = endpoints.map((e) => ({port: e.port, address: e.address === undefined ? undefined : canonicalAddress(e.address)}));
  return sockets.filter(
    (s) =>
      s.state === TCP_ESTABLISHED &&
      inodes.has(s.inode) &&
      wanted.some((e) => e.port === s.remotePort && (e.address === undefined || e.address === s.remoteAddress)),
  );
}

// The socket inodes among the open files of `pids` (their /proc/<pid>/fd links "socket:[N]").
export function socketInodes(pids: readonly number[]): Set<number> {
  const inodes = new Set<number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(Number(match[1]));
      } catch {
        // closed meanwhile
      }
    }
  }
  return inodes;
}

// The TCP sockets (IPv4 and IPv6) of the network namespace `pid` lives in.
export function readTcpSockets(pid: number): TcpSocket[] {
  const read = (name: string): TcpSocket[] => {
    try {
      return parseProcNetTcp(readFileSync(`/proc/${pid}/net/${name}`, 'utf8'));
    } catch {
      return [];
    }
  };
  return [...read('tcp'), ...read('tcp6')];
}
