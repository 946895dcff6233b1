import type {ConnectionState, DiskState, Role} from './types';

// Maps the state names of any drbd-utils version (9.x, and 8.4 through
// drbdsetup-84 or drbdadm cstate/dstate/role) onto the model's vocabulary.
// Unknown words never throw: they map to the value that claims least.

const ROLES: ReadonlySet<string> = new Set<Role>(['Primary', 'Secondary', 'Unknown']);

const DISK_STATES: ReadonlySet<string> = new Set<DiskState>([
  'Diskless', 'Attaching', 'Detaching', 'Failed', 'Negotiating',
  'Inconsistent', 'Outdated', 'DUnknown', 'Consistent', 'UpToDate',
]);

const CONNECTION_STATES: ReadonlySet<string> = new Set<ConnectionState>([
  'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe',
  'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting', 'Connected',
]);

// 8.4 keeps the replication states in cstate (user/v84/drbd_strings.c): all
// of them mean the connection is established.
const REPLICATION_STATES: ReadonlySet<string> = new Set([
  'Off', 'Established', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID',
  'SyncSource', 'SyncTarget', 'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind',
]);

// "Primary", "Secondary", "Unknown"; anything else (8.4 "Unconfigured") is Unknown.
export const toRole = (text: string | undefined): Role =>
  text !== undefined && ROLES.has(text) ? (text as Role) : 'Unknown';

// A disk state name; unknown words (8.4 "Unconfigured") become DUnknown.
export const toDiskState = (text: string | undefined): DiskState =>
  text !== undefined && DISK_STATES.has(text) ? (text as DiskState) : 'DUnknown';

// A connection state name. 8.4's WFConnection and WFReportParams are DRBD 9's
// Connecting; 8.4 replication states in cstate mean Connected. Unknown words
// become Unconnected: neither connected nor StandAlone, so they prove nothing.
export function toConnectionState(text: string | undefined): ConnectionState {
  if (text === undefined) return 'Unconnected';
  if (CONNECTION_STATES.has(text)) return text as ConnectionState;
  if (text === 'WFConnection' || text === 'WFReportParams') return 'Connecting';
  if (REPLICATION_STATES.has(text) && text !== 'Off') return 'Connected';
  return 'Unconnected';
}

// True for a disk whose data DRBD lets a node be promoted with (given fencing).
export const isUsableDisk = (disk: DiskState): boolean => disk === 'UpToDate' || disk === 'Consistent';
