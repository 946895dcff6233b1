import {readFileSync} from 'node:fs';
import {networkInterfaces} from 'node:os';
import {canonicalAddress, type Family} from './ip-address';

// An address configured on an interface, read without forking.
export interface InterfaceAddress {
  family: Family;
  // Base interface name ("eth0").
  iface: string;
  // IPv4 label when it differs from the interface name ("eth0:vip").
  label?: string;
  // Canonical text (RFC 5952 for IPv6).
  address: string;
  prefix: number;
  // IPv6 duplicate address detection still running / failed.
  tentative: boolean;
  dadFailed: boolean;
}

const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;

// Interface names from /proc/net/dev (the reading process's network namespace).
export function parseInterfaceNames(text: string): string[] {
  return text
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter(Boolean);
}

export function readInterfaceNames(): string[] {
  try {
    return parseInterfaceNames(readFileSync('/proc/net/dev', 'utf8'));
  } catch {
    return [];
  }
}

// /proc/net/if_inet6: address (32 hex), ifindex, prefix, scope, flags, name
// (all hex). Lists addresses on interfaces that are down too.
export function parseIfInet6(text: string): InterfaceAddress[] {
  const result: InterfaceAddress[] = [];
  for (const line of text.split('\n')) {
    const [hex = '', , prefix = '', , flags = '', iface = ''] = line.trim().split(/\s+/);
    if (hex.length !== 32 || !iface) continue;
    const flagBits = parseInt(flags, 16);
    result.push({
      family: 6,
      iface,
      address: canonicalAddress(hex.replace(/(.{4})(?!$)/g, '$1:')),
      prefix: parseInt(prefix, 16),
      tentative: (flagBits & IFA_F_TENTATIVE) !== 0,
      dadFailed: (flagBits & IFA_F_DADFAILED) !== 0,
    });
  }
  return result;
}

// IPv4 addresses from getifaddrs() (libuv, in-process, no fork). The key is
// the label ("eth0:vip"). libuv lists only interfaces that are UP and
// RUNNING, which is what "served" means.
export function ipv4FromNetworkInterfaces(table: ReturnType<typeof networkInterfaces>): InterfaceAddress[] {
  const result: InterfaceAddress[] = [];
  for (const [name, entries] of Object.entries(table)) {
    for (const entry of entries ?? []) {
      if (entry.family !== 'IPv4') continue;
      const iface = name.split(':')[0] ?? name;
      const prefix = Number(entry.cidr?.split('/')[1] ?? 32);
      result.push({
        family: 4,
        iface,
        ...(name !== iface ? {label: name} : {}),
        address: entry.address,
        prefix,
        tentative: false,
        dadFailed: false,
      });
    }
  }
  return result;
}

// All addresses of one family in this network namespace.
export function readAddresses(family: Family): InterfaceAddress[] {
  if (family === 4) return ipv4FromNetworkInterfaces(networkInterfaces());
  try {
    return parseIfInet6(readFileSync('/proc/net/if_inet6', 'utf8'));
  } catch {
    return [];
  }
}

// Interfaces that are UP and RUNNING (carrier) and hold at least one address.
export function readRunningInterfaces(): Set<string> {
  return new Set(Object.keys(networkInterfaces()).map((name) => name.split(':')[0] ?? name));
}
