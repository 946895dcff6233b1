// The engine's working context for one command: the loaded state, the
// clock, event/kernel-log bookkeeping (every state step is "committed":
// its events2 changes and kernel state line are appended to the node's
// logs), kernel helper (handler) runs, and DRBD's bitmap (changed blocks).
import {spawnSync} from 'node:child_process';
import {appendFileSync, mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {giUuids, randomUuid, type RandomUuid} from '../gi';
import {differingBlocks, exists, removeFile, snapshotImage} from '../images';
import {appendEvents, appendKernelLog} from '../logs';
import {diffEvents, eventObjects, helperEventLine, type EventObject} from '../render/events2';
import {renderProcDrbd} from '../render/misc';
import {basePath, devicePath, type Env, imagePath, procDrbdPath, saveState, configPath} from '../store';
import type {Gi, NodeResource, ResourceState, Runtime, SimState} from '../types';
import {AL_EXTENT_BLOCKS, diskRank} from '../types';
import {nodeView, peerOf, selfOf, type NodeView} from '../view';

const MAX_HANDLER_CALLS = 200;

interface KernelRecord {
  role: string;
  peer: string;
  conn: string;
  disk: string;
  pdsk: string;
  repl: string;
}

export interface Ctx {
  env: Env;
  state: SimState;
  random: RandomUuid;
  now(): number;
  // Last committed events2 objects and kernel record per `${res}/${node}`.
  events: Map<string, EventObject[]>;
  kernel: Map<string, KernelRecord>;
}

// A context over a loaded state.
export function createContext(env: Env, state: SimState, random: RandomUuid = randomUuid): Ctx {
  const ctx: Ctx = {env, state, random, now: () => Date.now() + state.clockOffsetMs, events: new Map(), kernel: new Map()};
  for (const rs of Object.values(state.resources)) {
    for (const node of Object.keys(rs.nodes)) snapshot(ctx, rs, node);
  }
  return ctx;
}

const key = (rs: ResourceState, node: string): string => `${rs.config.name}/${node}`;

function kernelRecord(rs: ResourceState, node: string): KernelRecord {
  const rt = rs.nodes[node]?.rt;
  if (!rt) return {role: 'Secondary', peer: 'Unknown', conn: 'StandAlone', disk: 'Diskless', pdsk: 'DUnknown', repl: 'Off'};
  const conn = rs.config.flavor === '8.4'
    ? (rt.conn === 'Connecting' ? 'WFConnection' : rt.conn === 'Connected' && rt.repl !== 'Established' && rt.repl !== 'Off' ? rt.repl : rt.conn)
    : rt.conn === 'WFReportParams' ? 'Connected' : rt.conn;
  return {role: rt.role, peer: rt.peerRole, conn, disk: rt.disk, pdsk: rt.peerDisk, repl: rt.repl};
}

// A view for events (statistics left out: they are not part of the event stream).
export const eventView = (ctx: Ctx, rs: ResourceState, node: string): NodeView =>
  nodeView({state: rs, node, stateDir: ctx.env.stateDir, oosBlocks: 0, syncDone: syncDone(ctx, rs, node)});

function snapshot(ctx: Ctx, rs: ResourceState, node: string): void {
  ctx.events.set(key(rs, node), eventObjects(eventView(ctx, rs, node)));
  ctx.kernel.set(key(rs, node), kernelRecord(rs, node));
}

// Milliseconds since the node booted (for kernel log time stamps).
export const sinceBoot = (ctx: Ctx, node: string): number => ctx.now() - (ctx.state.bootMs[node] ?? ctx.now());

// Kernel log prefixes: 8.4 "drbd r0:" / "block drbd0:", 9 "drbd r0 ctl2:" / "drbd r0/0 drbd0:".
export function prefix(rs: ResourceState, node: string, scope: 'res' | 'conn' | 'dev'): string {
  const c = rs.config;
  if (c.flavor === '8.4') return scope === 'dev' ? `block drbd${c.minor}:` : `drbd ${c.name}:`;
  if (scope === 'res') return `drbd ${c.name}:`;
  if (scope === 'conn') return `drbd ${c.name} ${peerOf(rs, node).name}:`;
  return `drbd ${c.name}/0 drbd${c.minor}:`;
}

// Appends kernel log lines (with a prefix scope) for a node.
export function klog(ctx: Ctx, rs: ResourceState, node: string, scope: 'res' | 'conn' | 'dev', ...lines: string[]): void {
  appendKernelLog(ctx.env.stateDir, node, sinceBoot(ctx, node), lines.map((l) => `${prefix(rs, node, scope)} ${l}`));
}

// The kernel's "new current UUID" line (8.4 prints all four UUIDs).
export function newCurrentLine(rs: ResourceState, gi: Gi): string {
  return rs.config.flavor === '8.4' ? `new current UUID ${giUuids(gi)}` : `new current UUID: ${gi.current} weak: FFFFFFFFFFFFFFFE`;
}

// Records a state step of a node: refreshes its meta-data flags and appends
// the events2 changes and the kernel's "x( A -> B )" line.
export function commit(ctx: Ctx, rs: ResourceState, node: string, scope: 'conn' | 'dev' = 'dev'): void {
  const nr = rs.nodes[node];
  if (nr?.rt) updateMdFlags(rs, nr);
  const before = ctx.kernel.get(key(rs, node));
  const after = kernelRecord(rs, node);
  if (before) {
    const fields: [keyof KernelRecord, string][] = rs.config.flavor === '8.4'
      ? [['role', 'role'], ['peer', 'peer'], ['conn', 'conn'], ['disk', 'disk'], ['pdsk', 'pdsk']]
      : [['role', 'role'], ['peer', 'peer'], ['conn', 'conn'], ['disk', 'disk'], ['pdsk', 'pdsk'], ['repl', 'repl']];
    const parts = fields.filter(([f]) => before[f] !== after[f]).map(([f, label]) => `${label}( ${before[f]} -> ${after[f]} ) `);
    if (parts.length > 0) klog(ctx, rs, node, scope, parts.join(''));
  }
  const objects = eventObjects(eventView(ctx, rs, node));
  const lines = diffEvents(ctx.events.get(key(rs, node)) ?? [], objects);
  appendEvents(ctx.env.stateDir, node, ctx.now(), lines);
  ctx.events.set(key(rs, node), objects);
  ctx.kernel.set(key(rs, node), after);
}

// Commits both nodes of a resource.
export function commitBoth(ctx: Ctx, rs: ResourceState, scope: 'conn' | 'dev' = 'dev'): void {
  for (const n of rs.config.nodes) commit(ctx, rs, n.name, scope);
}

// The on-disk flags as the kernel writes them for an attached device.
export function updateMdFlags(rs: ResourceState, nr: NodeResource): void {
  const rt = nr.rt;
  // Like get_ldev(): only a disk at least Inconsistent has its meta-data written.
  if (!rt || diskRank(rt.disk) < diskRank('Inconsistent')) return;
  const f = nr.md.flags;
  f.consistent = diskRank(rt.disk) > diskRank('Inconsistent');
  f.wasUpToDate = diskRank(rt.disk) > diskRank('Outdated');
  f.primary = rt.role === 'Primary';
  f.connected = rt.conn === 'Connected';
  f.peerOutdated = rt.peerDisk === 'Inconsistent' || rt.peerDisk === 'Outdated';
  f.crashedPrimary = rt.crashedPrimary;
  f.alClean = false;
  if (f.connected) f.peerDeviceSeen = true;
  void rs;
}

// The runtime of a node, which must exist.
export function rtOf(rs: ResourceState, node: string): Runtime {
  const rt = rs.nodes[node]?.rt;
  if (!rt) throw new Error(`${rs.config.name} is not up on ${node}`);
  return rt;
}

// The node resource record, which must exist.
export function nrOf(rs: ResourceState, node: string): NodeResource {
  const nr = rs.nodes[node];
  if (!nr) throw new Error(`${rs.config.name} has no node ${node}`);
  return nr;
}

// Number of 4 KiB blocks of the usable device.
export const deviceBlocks = (rs: ResourceState): number => Math.floor(rs.config.usableKiB / 4);

// Percent done of a running resync on this node (null when none runs).
export function syncDone(ctx: Ctx, rs: ResourceState, node: string): number | null {
  const sync = rs.nodes[node]?.rt?.sync;
  if (!sync) return null;
  return syncProgress(ctx, rs, sync.startedMs, sync.totalBlocks) * 100;
}

// Fraction (0..1) of a resync done by now, at the configured rate.
export function syncProgress(ctx: Ctx, rs: ResourceState, startedMs: number, totalBlocks: number): number {
  if (rs.config.resyncRateKiB <= 0 || totalBlocks === 0) return 1;
  const kib = (ctx.now() - startedMs) / 1000 * rs.config.resyncRateKiB;
  return Math.max(0, Math.min(1, kib / (totalBlocks * 4)));
}

// The blocks this node's bitmap marks out of sync (every block when full).
export function bitmapBlocks(ctx: Ctx, rs: ResourceState, node: string): number[] {
  const nr = nrOf(rs, node);
  const total = deviceBlocks(rs);
  if (nr.bitmap.full) return Array.from({length: total}, (_, i) => i);
  const set = new Set(nr.bitmap.blocks);
  const image = imagePath(ctx.env.stateDir, rs.config.name, node);
  const base = basePath(ctx.env.stateDir, rs.config.name, node);
  if (nr.bitmap.base && exists(base) && exists(image)) {
    for (const b of differingBlocks(image, base, total)) set.add(b);
  }
  const blocks = [...set].sort((a, b) => a - b);
  noteExtents(nr.rt, blocks);
  return blocks;
}

// Out-of-sync blocks as reported (0 when connected and in sync; the remainder during a resync).
export function outOfSyncBlocks(ctx: Ctx, rs: ResourceState, node: string): number {
  const rt = rs.nodes[node]?.rt;
  if (rt?.sync) return Math.round(rt.sync.totalBlocks * (1 - syncProgress(ctx, rs, rt.sync.startedMs, rt.sync.totalBlocks)));
  if (!rt || rt.disk === 'Diskless') return 0;
  return bitmapBlocks(ctx, rs, node).length;
}

// Activity-log writes: one per newly touched 4 MiB extent.
export function noteExtents(rt: Runtime | null | undefined, blocks: readonly number[]): void {
  if (!rt) return;
  const seen = new Set(rt.alExtents);
  for (const b of blocks) {
    const extent = Math.floor(b / AL_EXTENT_BLOCKS);
    if (!seen.has(extent)) {
      seen.add(extent);
      rt.alExtents.push(extent);
      rt.counters.alWrites++;
    }
  }
}

// Starts tracking changes of a node that is not in sync with its peer: a
// base copy of its image, unless one exists or the bitmap is full.
export function ensureTracking(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  if (nr.bitmap.full || nr.bitmap.base) return;
  const image = imagePath(ctx.env.stateDir, rs.config.name, node);
  if (!exists(image)) return;
  snapshotImage(image, basePath(ctx.env.stateDir, rs.config.name, node));
  nr.bitmap.base = true;
}

// Clears a node's bitmap (after a resync, or when skipping the initial sync).
export function clearBitmap(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  nr.bitmap = {full: false, blocks: [], base: false};
  removeFile(basePath(ctx.env.stateDir, rs.config.name, node));
}

// Freezes the current bitmap into explicit blocks (drops the base copy).
export function freezeBitmap(ctx: Ctx, rs: ResourceState, node: string, extra: readonly number[] | 'full'): void {
  const nr = nrOf(rs, node);
  if (extra === 'full' || nr.bitmap.full) {
    nr.bitmap = {full: true, blocks: [], base: false};
    removeFile(basePath(ctx.env.stateDir, rs.config.name, node));
    return;
  }
  const blocks = new Set(bitmapBlocks(ctx, rs, node));
  for (const b of extra) blocks.add(b);
  clearBitmap(ctx, rs, node);
  nr.bitmap.blocks = [...blocks].sort((a, b) => a - b);
}

// The environment a kernel helper gets: DRBD's variables (8.4 as observed,
// 9 adds node ids), the simulator's node/state, a PATH that finds the simulator.
export function handlerEnv(stateDir: string, rs: ResourceState, node: string, extra: Record<string, string> = {}): Record<string, string> {
  const self = selfOf(rs, node);
  const peer = peerOf(rs, node);
  const simBin = dirname(process.argv[1] ?? '');
  const env: Record<string, string> = {
    HOME: '/',
    TERM: 'linux',
    PATH: `${simBin}:/sbin:/usr/sbin:/bin:/usr/bin`,
    DRBD_CONF: configPath(stateDir),
    DRBD_LL_DISK: imagePath(stateDir, rs.config.name, node),
    DRBD_MINOR: String(rs.config.minor),
    DRBD_PEER: peer.name,
    DRBD_PEERS: peer.name,
    DRBD_PEER_ADDRESS: peer.address,
    DRBD_PEER_AF: 'ipv4',
    DRBD_RESOURCE: rs.config.name,
    DRBD_VOLUME: '0',
    FAKE_DRBD_NODE: node,
    FAKE_DRBD_STATE: stateDir,
    FAKE_DRBD_NESTED: '1',
    ...extra,
  };
  if (rs.config.flavor === '8.4') env.DRBD_DONT_WARN_ON_VERSION_MISMATCH = '1';
  else {
    env.DRBD_MY_NODE_ID = String(self.nodeId);
    env.DRBD_PEER_NODE_ID = String(peer.nodeId);
    env.DRBD_MY_ADDRESS = self.address;
    env.DRBD_MY_AF = 'ipv4';
    for (const n of rs.config.nodes) env[`DRBD_NODE_ID_${n.nodeId}`] = n.name;
  }
  return env;
}

// Runs a kernel helper for a node as DRBD does (`drbdadm <handler>`): logs
// the call, saves the state so the handler can read it, runs the
// configured command (split on white space, no shell) with DRBD's
// environment and a timeout, logs and records the exit code. No configured
// command counts as exit 0 (drbdadm's behaviour). Returns the exit code.
export function runHelper(ctx: Ctx, rs: ResourceState, node: string, handler: string,
  opts: {deviceLevel: boolean; env?: Record<string, string>; simulatedRc?: number}): number {
  const c = rs.config;
  const arg = c.flavor === '8.4' && opts.deviceLevel ? `minor-${c.minor}` : c.name;
  const scope = opts.deviceLevel ? 'dev' : 'conn';
  const v = eventView(ctx, rs, node);
  klog(ctx, rs, node, scope, `helper command: /sbin/drbdadm ${handler} ${arg}`);
  appendEvents(ctx.env.stateDir, node, ctx.now(), [helperEventLine(v, handler, null, opts.deviceLevel)]);
  const command = c.handlers[handler];
  let rc = 0;
  if (opts.simulatedRc !== undefined) {
    rc = opts.simulatedRc;
  } else if (command) {
    saveState(ctx.env.stateDir, ctx.state);
    const argv = command.trim().split(/\s+/);
    const logFile = join(ctx.env.stateDir, 'log', `${node}.handlers.log`);
    mkdirSync(dirname(logFile), {recursive: true});
    const r = spawnSync(argv[0] ?? 'true', argv.slice(1), {
      env: handlerEnv(ctx.env.stateDir, rs, node, opts.env), timeout: c.handlerTimeoutS * 1000, encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'], killSignal: 'SIGKILL',
    });
    rc = r.status ?? (r.error ? 127 : 128 + 9);
    appendFileSync(logFile, `--- ${new Date(ctx.now()).toISOString()} ${handler} ${c.name}: ${command} -> ${rc}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  }
  klog(ctx, rs, node, scope, `helper command: /sbin/drbdadm ${handler} ${arg} exit code ${rc} (0x${(rc << 8).toString(16)})`);
  appendEvents(ctx.env.stateDir, node, ctx.now(), [helperEventLine(v, handler, rc, opts.deviceLevel)]);
  ctx.state.handlerCalls.push({node, resource: c.name, handler, command: command ?? '', exitCode: rc, at: new Date(ctx.now()).toISOString()});
  if (ctx.state.handlerCalls.length > MAX_HANDLER_CALLS) ctx.state.handlerCalls.splice(0, ctx.state.handlerCalls.length - MAX_HANDLER_CALLS);
  return rc;
}

// Writes each node's /proc/drbd rendering under <state>/proc/<node>/drbd.
export function writeProcFiles(ctx: Ctx): void {
  const nodes = new Set<string>();
  for (const rs of Object.values(ctx.state.resources)) for (const n of rs.config.nodes) nodes.add(n.name);
  for (const node of nodes) {
    const resources = Object.values(ctx.state.resources).filter((rs) => rs.nodes[node]);
    const flavor = resources[0]?.config.flavor ?? '9';
    const views = resources.map((rs) => nodeView({state: rs, node, stateDir: ctx.env.stateDir,
      oosBlocks: outOfSyncBlocks(ctx, rs, node), syncDone: syncDone(ctx, rs, node)}));
    const path = procDrbdPath(ctx.env.stateDir, node);
    mkdirSync(dirname(path), {recursive: true});
    writeFileSync(path, ctx.state.noModule[node] ? '' : renderProcDrbd(flavor, views));
  }
}

// The device path the simulator gives a node (sh-dev).
export const deviceOf = (ctx: Ctx, rs: ResourceState, node: string): string => devicePath(ctx.env.stateDir, node, rs.config.minor);
