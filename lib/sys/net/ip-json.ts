import type {Deadline} from '../../ocf/deadline';
import {GenericError} from '../../ocf/errors';
import {describeFailure, run} from '../exec';
import {canonicalAddress} from './ip-address';
import type {InterfaceAddress} from './interfaces';

export interface LinkSnapshot {
  addresses: InterfaceAddress[];
  // UP with LOWER_UP (carrier).
  running: Set<string>;
}

interface IpJsonLink {
  ifname?: string;
  flags?: string[];
  addr_info?: {
    family?: string;
    local?: string;
    prefixlen?: number;
    label?: string;
    tentative?: boolean;
    dadfailed?: boolean;
  }[];
}

// `ip -j addr show`: every address, on interfaces that are down too, which
// getifaddrs() hides. Used by start and stop, where forking is fine and an
// address hidden on a down link must still be found.
export function parseIpAddrJson(text: string): LinkSnapshot {
  const links = JSON.parse(text) as IpJsonLink[];
  const addresses: InterfaceAddress[] = [];
  const running = new Set<string>();
  for (const link of links) {
    const iface = link.ifname;
    if (!iface) continue;
    const flags = link.flags ?? [];
    if (flags.includes('UP') && flags.includes('LOWER_UP')) running.add(iface);
    for (const info of link.addr_info ?? []) {
      if ((info.family !== 'inet' && info.family !== 'inet6') || !info.local) continue;
      const family = info.family === 'inet' ? 4 : 6;
      const label = family === 4 && info.label && info.label !== iface ? info.label : undefined;
      addresses.push({
        family,
        iface,
        ...(label ? {label} : {}),
        address: canonicalAddress(info.local),
        prefix: info.prefixlen ?? (family === 4 ? 32 : 128),
        tentative: info.tentative === true,
        dadFailed: info.dadfailed === true,
      });
    }
  }
  return {addresses, running};
}

export async function readLinkSnapshot(ipBinary: string, deadline: Deadline): Promise<LinkSnapshot> {
  const result = await run(ipBinary, ['-j', 'addr', 'show'], {deadline});
  if (!result.ok) throw new GenericError(describeFailure(result));
  return parseIpAddrJson(result.stdout);
}
