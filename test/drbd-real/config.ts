// The two guests, their addresses on the private wire (198.51.100.0/24,
// TEST-NET-2: never routed) and the DRBD resource they share.

export const NODES = ['ctl1', 'ctl2'] as const;
export type NodeName = (typeof NODES)[number];
export const ADDRESS: Record<NodeName, string> = {ctl1: '198.51.100.1', ctl2: '198.51.100.2'};
export const RESOURCE = 'r0';
export const DEVICE = '/dev/drbd0';
export const BACKING = '/dev/vda';
export const DISK_MIB = 64;
// Usable size of a 64 MiB disk with internal meta-data (drbd 8.4: 65496 KiB).
export const DATA_KIB = 65496;

// DRBD itself never resolves a split brain here (after-sb-* disconnect): the
// agent does. Short connect/ping intervals keep reconnects quick under TCG.
export function drbdConf(): string {
  return `global { usage-count no; }
resource ${RESOURCE} {
  protocol C;
  device ${DEVICE};
  disk ${BACKING};
  meta-disk internal;
  net {
    after-sb-0pri disconnect;
    after-sb-1pri disconnect;
    after-sb-2pri disconnect;
    connect-int 2;
    ping-int 2;
  }
  handlers {
    split-brain "/usr/sbin/hacloud drbd-split-brain";
    initial-split-brain "/usr/sbin/hacloud drbd-split-brain";
  }
${NODES.map((n) => `  on ${n} { address ${ADDRESS[n]}:7789; }`).join('\n')}
}
`;
}
