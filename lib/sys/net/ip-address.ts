export type Family = 4 | 6;

// An IP address as bytes (4 or 16), so prefixes compare bit by bit.
export interface IpAddress {
  family: Family;
  bytes: readonly number[];
}

// Parsed here rather than with node:net, whose loading alone costs an agent
// start-up several milliseconds.
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

const parseIpv4 = (text: string): number[] | undefined => (IPV4.test(text) ? text.split('.').map(Number) : undefined);

function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      } else if (HEX_GROUP.test(piece)) {
        groups.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const left = groupsOf(halves[0] ?? '');
  const right = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!left || !right) return undefined;
  if (halves.length === 2 && halves[0]?.includes('.')) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

// Parses dotted-quad IPv4 or any IPv6 text form (with "::" and embedded
// IPv4; no zone index); undefined when the text is not an address.
export function parseAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return {family: 4, bytes: v4};
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  return v6 ? {family: 6, bytes: v6} : undefined;
}

// "4", "6" or undefined, like node:net's isIP without loading it.
export const ipFamily = (text: string): Family | undefined => parseAddress(text)?.family;

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
  if (family !== 4 || !parseIpv4(trimmed)) return undefined;
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
