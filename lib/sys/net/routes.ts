import {readFileSync} from 'node:fs';
import type {Family, IpAddress} from './ip-address';

// One route of the main table, as the kernel lists it under /proc (no fork,
// always the reading process's network namespace).
export interface Route {
  family: Family;
  iface: string;
  destination: IpAddress;
  prefix: number;
  // Via a gateway: not "scope link", so not a subnet the address can live on.
  gateway: boolean;
  // unreachable/prohibit/blackhole.
  reject: boolean;
  metric: number;
}

const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;
const RTF_LOCAL = 0x80000000;
const RTF_ANYCAST = 0x100000;
const RTF_CACHE = 0x1000000;

// /proc/net/route: little-endian hex addresses and masks, header line first.
export function parseIpv4Routes(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface = '', dest = '', , flagsHex = '', , , metric = '0', mask = ''] = f;
    const flags = parseInt(flagsHex, 16);
    if (!(flags & RTF_UP)) continue;
    const maskBits = leHexBytes(mask).reduce((n, b) => n + popcount(b), 0);
    routes.push({
      family: 4,
      iface,
      destination: {family: 4, bytes: leHexBytes(dest)},
      prefix: maskBits,
      gateway: (flags & RTF_GATEWAY) !== 0,
      reject: (flags & RTF_REJECT) !== 0 || iface === '*',
      metric: Number(metric),
    });
  }
  return routes;
}

// /proc/net/ipv6_route: dest, plen, src, splen, next hop, metric, refcnt, use, flags, iface.
// Local, anycast, cached and multicast entries are not subnets and are skipped.
export function parseIpv6Routes(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest = '', plen = '', , , , metric = '0', , , flagsHex = '', iface = ''] = f;
    const flags = parseInt(flagsHex, 16);
    if (!(flags & RTF_UP) || flags & (RTF_LOCAL | RTF_ANYCAST | RTF_CACHE)) continue;
    const bytes = hexBytes(dest);
    if (bytes[0] === 0xff) continue;
    routes.push({
      family: 6,
      iface,
      destination: {family: 6, bytes},
      prefix: parseInt(plen, 16),
      gateway: (flags & RTF_GATEWAY) !== 0,
      reject: (flags & RTF_REJECT) !== 0,
      metric: parseInt(metric, 16),
    });
  }
  return routes;
}

// The main routing table of one family, read from /proc.
export function readRoutes(family: Family): Route[] {
  try {
    return family === 4
      ? parseIpv4Routes(readFileSync('/proc/net/route', 'utf8'))
      : parseIpv6Routes(readFileSync('/proc/net/ipv6_route', 'utf8'));
  } catch {
    return [];
  }
}

const hexBytes = (hex: string): number[] => {
  const bytes: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) bytes.push(parseInt(hex.slice(i, i + 2), 16));
  return bytes;
};
const leHexBytes = (hex: string): number[] => hexBytes(hex).reverse();
const popcount = (b: number): number => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
};
