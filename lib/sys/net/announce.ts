// Argument lists for the programs that announce a moved address, kept pure
// so tests can check them.

export interface ArpAnnouncement {
  nic: string;
  address: string;
  count: number;
  intervalMs: number;
  // request: gratuitous ARP request (arping -U); reply: ARP reply (-A), for switches that ignore requests.
  mode: 'request' | 'reply';
}

// iputils arping: gratuitous ARP from the address to itself on the interface.
// Its -i takes whole seconds only, so the interval is rounded up (at least 1 s).
export const arpingArgs = (a: ArpAnnouncement): string[] => [
  a.mode === 'reply' ? '-A' : '-U',
  '-c',
  String(a.count),
  '-i',
  String(Math.max(1, Math.ceil(a.intervalMs / 1000))),
  '-I',
  a.nic,
  '-s',
  a.address,
  a.address,
];

export interface NeighbourAdvertisement {
  nic: string;
  address: string;
  prefix: number;
  count: number;
  intervalMs: number;
}

// resource-agents' send_ua: unsolicited neighbour advertisements for IPv6.
export const sendUaArgs = (a: NeighbourAdvertisement): string[] => [
  '-i',
  String(a.intervalMs),
  '-c',
  String(a.count),
  a.address,
  String(a.prefix),
  a.nic,
];
