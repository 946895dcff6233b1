import {isIPv4, isIPv6} from 'node:net';

export type Family = 4 | 6;

// An IP address as bytes (4 or 16), so prefixes compare bit by bit.
export interface IpAddress {
  family: Family;
  bytes: readonly number[];
}

// Parses dotted-quad IPv4 or any IPv6 text form (with "::" and embedded IPv4).
export function parseAddress(text: string): IpAddress | undefined {
  if (isIPv4(text)) return {family: 4, bytes: text.split('.').map(Number)};
  if (!isIPv6(text)) return undefined;
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail4 = text.slice(lastColon + 1).split('.').map(Number);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const all = right === undefined ? l : [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const bytes = all.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail4.length === 4) bytes.splice(12, 4, ...tail4);
  return {family: 6, bytes};
}

// Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest run of zero groups as "::").
export function formatAddress(address: IpAddress): string {
  if (address.family === 4) return address.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((address.bytes[i] ?? 0) << 8) | (address.bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

// Canonical text of an address given as text (as `ip` prints it), or the input when unparseable.
export const canonicalAddress = (text: string): string => {
  const parsed = parseAddress(text);
  return parsed ? formatAddress(parsed) : text;
};

export const maxPrefix = (family: Family): number => (family === 4 ? 32 : 128);

// Does network/prefix contain address? Families must match.
export function prefixContains(network: IpAddress, prefix: number, address: IpAddress): boolean {
  if (network.family !== address.family || prefix < 0 || prefix > maxPrefix(network.family)) return false;
  for (let bit = 0; bit < prefix; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((network.bytes[byte] ?? 0) & mask) !== ((address.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

// A prefix length from "24" or, for IPv4, a contiguous netmask "255.255.255.0".
export function parsePrefix(text: string, family: Family): number | undefined {
  const trimmed = text.trim();
  if (/^\d{1,3}$/.test(trimmed)) {
    const n = Number(trimmed);
    return n <= maxPrefix(family) ? n : undefined;
  }
  if (family !== 4 || !isIPv4(trimmed)) return undefined;
  const bits = trimmed
    .split('.')
    .map((o) => Number(o).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : undefined;
}

// The IPv4 broadcast address of address/prefix.
export function broadcastOf(address: IpAddress, prefix: number): string {
  const bytes = address.bytes.map((b, i) => {
    const hostBits = Math.max(0, Math.min(8, (i + 1) * 8 - prefix));
    return b | ((1 << hostBits) - 1);
  });
  return bytes.join('.');
}
