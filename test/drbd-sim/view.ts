// What one node reports about a resource: the values every renderer prints
// (events2, status text/JSON, sh-status, /proc/drbd, role/cstate/dstate),
// computed from the state plus the measured out-of-sync weight.
import {imagePath} from './store';
import type {ConnState, DiskState, Flavor, NodeConfig, PeerRole, ReplState, ResourceState, Role} from './types';
import {diskRank} from './types';

export interface NodeView {
  flavor: Flavor;
  resource: string;
  minor: number;
  nodeId: number;
  up: boolean;
  role: Role;
  disk: DiskState;
  suspended: string;
  backingDev: string;
  // A connection object exists (9: peer defined; 8.4: always while up).
  connExists: boolean;
  // conn-name: 9 the peer's host name, 8.4 "peer" while net config exists, else none.
  connName: string | null;
  peerNodeId: number;
  peerName: string;
  // DRBD 9 vocabulary.
  conn: ConnState;
  // 8.4's cstate (WFConnection, Connected, SyncSource, ...).
  cstate84: string;
  peerRole: PeerRole;
  repl: ReplState;
  peerDisk: DiskState;
  established: boolean;
  localAddress: string;
  peerAddress: string;
  // Percent of the resync done, while one runs.
  syncDone: number | null;
  oosKiB: number;
  sizeKiB: number;
  read: number;
  written: number;
  sent: number;
  received: number;
  alWrites: number;
  bmWrites: number;
  mayPromote: boolean;
  promotionScore: number;
  quorum: boolean;
}

const SYNC_STATES: ReadonlySet<ReplState> = new Set(['SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT']);

// Whether a replication state is a running resync.
export const isSyncing = (r: ReplState): boolean => SYNC_STATES.has(r);

// The connection state as 9 shows it (WFReportParams is "Connected").
const conn9 = (c: ConnState): ConnState => (c === 'WFReportParams' ? 'Connected' : c);

// 8.4's combined connection/replication state.
function cstate84(c: ConnState, r: ReplState): string {
  if (c === 'Connecting') return 'WFConnection';
  if (c === 'Connected') return r === 'Established' || r === 'Off' ? 'Connected' : r;
  return c;
}

export interface ViewInput {
  state: ResourceState;
  node: string;
  stateDir: string;
  oosBlocks: number;
  syncDone: number | null;
}

// The peer of `node` in a two-node resource.
export function peerOf(state: ResourceState, node: string): NodeConfig {
  const peer = state.config.nodes.find((n) => n.name !== node);
  if (!peer) throw new Error(`resource ${state.config.name}: no peer for ${node}`);
  return peer;
}

// The configuration entry of `node`.
export function selfOf(state: ResourceState, node: string): NodeConfig {
  const self = state.config.nodes.find((n) => n.name === node);
  if (!self) throw new Error(`resource ${state.config.name}: ${node} is not one of its nodes`);
  return self;
}

// The view of one node.
export function nodeView(input: ViewInput): NodeView {
  const {state, node} = input;
  const cfg = state.config;
  const self = selfOf(state, node);
  const peer = peerOf(state, node);
  const nr = state.nodes[node];
  const rt = nr?.rt ?? null;
  const flavor = cfg.flavor;
  const conn: ConnState = rt ? conn9(rt.conn) : 'StandAlone';
  const connExists = rt !== null && (flavor === '8.4' || rt.peerDefined);
  const connName = !rt ? null : flavor === '9' ? (rt.peerDefined ? peer.name : null) : (rt.netConfigured ? 'peer' : null);
  const disk: DiskState = rt?.disk ?? 'Diskless';
  const peerDisk: DiskState = rt?.peerDisk ?? 'DUnknown';
  const role: Role = rt?.role ?? 'Secondary';
  const peerRole: PeerRole = rt?.peerRole ?? 'Unknown';
  const localUpToDate = disk === 'UpToDate';
  const peerUpToDate = conn === 'Connected' && peerDisk === 'UpToDate';
  const score = rt === null ? 0
    : (diskRank(disk) >= diskRank('Inconsistent') ? 10000 : 0)
      + (localUpToDate ? 100 : 0) + (localUpToDate ? 1 : 0) + (peerUpToDate ? 1 : 0);
  const counters = rt?.counters ?? {read: 0, written: 0, sent: 0, received: 0, alWrites: 0, bmWrites: 0};
  return {
    flavor,
    resource: cfg.name,
    minor: cfg.minor,
    nodeId: self.nodeId,
    up: rt !== null,
    role,
    disk,
    suspended: rt?.suspFencing ? 'fencing' : 'no',
    backingDev: rt && disk !== 'Diskless' ? imagePath(input.stateDir, cfg.name, node) : 'none',
    connExists,
    connName,
    peerNodeId: flavor === '9' ? peer.nodeId : 0,
    peerName: peer.name,
    conn,
    cstate84: rt ? cstate84(rt.conn, rt.repl) : 'Unconfigured',
    peerRole,
    repl: rt?.repl ?? 'Off',
    peerDisk,
    established: conn === 'Connected',
    localAddress: `ipv4:${self.address}:${self.port}`,
    peerAddress: `ipv4:${peer.address}:${peer.port}`,
    syncDone: input.syncDone,
    oosKiB: input.oosBlocks * 4,
    sizeKiB: disk === 'Diskless' ? 0 : cfg.usableKiB,
    ...counters,
    mayPromote: rt !== null && role !== 'Primary' && peerRole !== 'Primary' && (localUpToDate || peerUpToDate),
    promotionScore: score,
    quorum: true,
  };
}
