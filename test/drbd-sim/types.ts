// The simulator's state: configuration, persistent meta-data and runtime
// state of each node of each resource, as stored in <state>/cluster.json.
// Vocabulary is DRBD 9's internally (connection Connecting, replication
// states separate); renderers map to 8.4 names (WFConnection, SyncSource as cstate).

export type Flavor = '9' | '8.4';
export type Role = 'Primary' | 'Secondary';
export type PeerRole = Role | 'Unknown';
export type DiskState = 'Diskless' | 'Attaching' | 'Detaching' | 'Failed' | 'Negotiating' | 'Inconsistent'
  | 'Outdated' | 'DUnknown' | 'Consistent' | 'UpToDate';
// WFReportParams is 8.4's name for the handshake phase; 9 renders it as Connected.
export type ConnState = 'StandAlone' | 'Disconnecting' | 'Unconnected' | 'Timeout' | 'BrokenPipe' | 'NetworkFailure'
  | 'ProtocolError' | 'TearDown' | 'Connecting' | 'WFReportParams' | 'Connected';
export type ReplState = 'Off' | 'Established' | 'StartingSyncS' | 'StartingSyncT' | 'WFBitMapS' | 'WFBitMapT'
  | 'WFSyncUUID' | 'SyncSource' | 'SyncTarget' | 'PausedSyncS' | 'PausedSyncT' | 'Ahead' | 'Behind';
export type Fencing = 'dont-care' | 'resource-only' | 'resource-and-stonith';

// Kernel order of disk states (drbd.h enum drbd_disk_state): comparisons use it.
export const DISK_ORDER: readonly DiskState[] = ['Diskless', 'Attaching', 'Detaching', 'Failed', 'Negotiating',
  'Inconsistent', 'Outdated', 'DUnknown', 'Consistent', 'UpToDate'];

export const diskRank = (d: DiskState): number => DISK_ORDER.indexOf(d);

export const AFTER_SB_0PRI = ['disconnect', 'discard-younger-primary', 'discard-older-primary',
  'discard-zero-changes', 'discard-least-changes', 'discard-local', 'discard-remote'] as const;
export const AFTER_SB_1PRI = ['disconnect', 'consensus', 'violently-as0p', 'discard-secondary', 'call-pri-lost-after-sb'] as const;
export const AFTER_SB_2PRI = ['disconnect', 'violently-as0p', 'call-pri-lost-after-sb'] as const;
export const RR_CONFLICT = ['disconnect', 'violently', 'call-pri-lost'] as const;
export const FENCING: readonly Fencing[] = ['dont-care', 'resource-only', 'resource-and-stonith'];
export const HANDLERS = ['split-brain', 'initial-split-brain', 'fence-peer', 'unfence-peer', 'pri-lost-after-sb',
  'pri-lost', 'before-resync-target', 'after-resync-target', 'before-resync-source', 'pri-on-incon-degr',
  'local-io-error', 'out-of-sync', 'quorum-lost', 'disconnected'] as const;

export type AfterSb0 = typeof AFTER_SB_0PRI[number];
export type AfterSb1 = typeof AFTER_SB_1PRI[number];
export type AfterSb2 = typeof AFTER_SB_2PRI[number];
export type RrConflict = typeof RR_CONFLICT[number];

export interface NodeConfig {
  name: string;
  nodeId: number;
  // "ipv4:198.51.100.201:7789" style parts.
  address: string;
  port: number;
}

export interface ResourceConfig {
  name: string;
  flavor: Flavor;
  minor: number;
  // Backing image size and the usable device size (internal meta-data subtracted), KiB.
  sizeKiB: number;
  usableKiB: number;
  nodes: [NodeConfig, NodeConfig];
  protocol: 'C';
  afterSb0: AfterSb0;
  // For discard-local/discard-remote written as discard-node-<name>.
  discardNode?: string;
  afterSb1: AfterSb1;
  afterSb2: AfterSb2;
  rrConflict: RrConflict;
  allowTwoPrimaries: boolean;
  fencing: Fencing;
  handlers: Record<string, string>;
  handlerTimeoutS: number;
  // 0 = a resync completes on the command that starts it.
  resyncRateKiB: number;
}

// The 4 UUIDs, 16 upper-case hex digits each (as drbdmeta prints them).
export interface Gi {
  current: string;
  bitmap: string;
  history: [string, string];
}

// On-disk meta-data flags (MDF_*), as get-gi prints them.
export interface MdFlags {
  consistent: boolean;
  wasUpToDate: boolean;
  primary: boolean;
  connected: boolean;
  fullSync: boolean;
  peerOutdated: boolean;
  crashedPrimary: boolean;
  // v09 only
  alClean: boolean;
  peerDeviceSeen: boolean;
}

export interface Metadata {
  gi: Gi;
  flags: MdFlags;
}

// Changed blocks toward the peer (DRBD's bitmap), 4 KiB granularity:
// explicit blocks, plus the blocks that differ from the base copy of the
// image taken when the node stopped being in sync, or everything.
export interface BitmapState {
  full: boolean;
  blocks: number[];
  base: boolean;
}

export interface Counters {
  read: number;
  written: number;
  sent: number;
  received: number;
  alWrites: number;
  bmWrites: number;
}

export interface SyncState {
  source: boolean;
  // Blocks to copy, or every block.
  blocks: number[] | 'full';
  totalBlocks: number;
  startedMs: number;
  // Kernel log details: KiB and bits announced at start.
}

export interface Runtime {
  role: Role;
  disk: DiskState;
  // 9: a connection object exists (new-peer done); 8.4: the connection line always exists.
  peerDefined: boolean;
  // connect issued: net configuration present (8.4 has none while StandAlone).
  netConfigured: boolean;
  conn: ConnState;
  repl: ReplState;
  peerRole: PeerRole;
  peerDisk: DiskState;
  discardMyData: boolean;
  crashedPrimary: boolean;
  suspFencing: boolean;
  loop: string | null;
  holdOpen: boolean;
  counters: Counters;
  // Loop device I/O already accounted (sectors).
  loopSeen: {readSectors: number; writeSectors: number};
  alExtents: number[];
  sync: SyncState | null;
  // The peer's UUIDs as received at the last handshake (p_uuid).
  peerGi: Gi | null;
}

export interface NodeResource {
  md: Metadata;
  bitmap: BitmapState;
  rt: Runtime | null;
  writeCursor: number;
}

export interface ResourceState {
  config: ResourceConfig;
  nodes: Record<string, NodeResource>;
}

export interface HandlerCall {
  node: string;
  resource: string;
  handler: string;
  command: string;
  exitCode: number | null;
  at: string;
}

export interface SimState {
  version: 1;
  clockOffsetMs: number;
  link: 'up' | 'down';
  // When set, fence-peer is not run: this is its exit code.
  fenceRc: number | null;
  noModule: Record<string, boolean>;
  bootMs: Record<string, number>;
  resources: Record<string, ResourceState>;
  handlerCalls: HandlerCall[];
}

export const BLOCK = 4096;
// DRBD's activity-log extent (4 MiB) in 4 KiB blocks.
export const AL_EXTENT_BLOCKS = 1024;
export const KERNEL_84 = {code: 0x08040b, version: '8.4.11', api: 1, proto: '86-101'};
export const KERNEL_9 = {code: 0x09020c, version: '9.2.12', api: 2, proto: '86-122'};
export const UTILS = {code: 0x091600, version: '9.22.0'};
