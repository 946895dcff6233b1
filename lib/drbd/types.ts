// The DRBD state model, in DRBD 9's vocabulary (drbd-headers drbd_strings.c);
// 8.4 names are mapped into it by lib/drbd/names.ts.

export type Role = 'Primary' | 'Secondary' | 'Unknown';

export type DiskState =
  | 'Diskless'
  | 'Attaching'
  | 'Detaching'
  | 'Failed'
  | 'Negotiating'
  | 'Inconsistent'
  | 'Outdated'
  | 'DUnknown'
  | 'Consistent'
  | 'UpToDate';

export type ConnectionState =
  | 'StandAlone'
  | 'Disconnecting'
  | 'Unconnected'
  | 'Timeout'
  | 'BrokenPipe'
  | 'NetworkFailure'
  | 'ProtocolError'
  | 'TearDown'
  | 'Connecting'
  | 'Connected';

// One volume as seen over one connection.
export interface PeerDeviceState {
  volume: number;
  // Replication state as DRBD names it (Off, Established, SyncSource, ...).
  replication: string;
  peerDisk: DiskState;
  peerClient: boolean;
  // KiB this node has to send the peer (its bitmap weight): while disconnected,
  // what this node changed since the link went down. Only with --statistics.
  outOfSyncKiB?: number;
  // Resync progress in percent, only while a resync runs.
  done?: number;
}

export interface ConnectionInfo {
  peerNodeId: number;
  // conn-name (DRBD 9: the peer's host name; 8.4: "peer", absent when StandAlone).
  name?: string;
  connection: ConnectionState;
  peerRole: Role;
  peerDevices: PeerDeviceState[];
}

export interface DeviceState {
  volume: number;
  minor?: number;
  disk: DiskState;
  // An intentionally diskless DRBD 9 client.
  client: boolean;
  // DRBD 9 only; undefined when the output does not say.
  quorum?: boolean;
  backingDev?: string;
}

export interface ResourceState {
  name: string;
  // false: no `exists resource` line, i.e. the resource is not configured (down).
  exists: boolean;
  role: Role;
  suspended?: boolean;
  // DRBD 9 events2 only (may_promote, promotion_score).
  mayPromote?: boolean;
  promotionScore?: number;
  // Sorted by volume.
  devices: DeviceState[];
  // Sorted by peer node id.
  connections: ConnectionInfo[];
}

// The state of a resource that is not configured on this node.
export const absentResource = (name: string): ResourceState => ({
  name,
  exists: false,
  role: 'Unknown',
  devices: [],
  connections: [],
});
