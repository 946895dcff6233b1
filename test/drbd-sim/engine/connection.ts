// The replication link between the two nodes of a resource: connecting,
// graceful disconnects and network failures (with new current UUIDs and
// fence-peer), the handshake (UUID comparison, split brain and its
// policies), resync with real block copies, and protocol-C replication of
// the Primary's writes, applied lazily whenever the simulator runs.
import {giUuids, uuidNewCurrent, uuidSyncSourceFinish, uuidSyncSourceStart, uuidSyncTargetFinish,
  uuidSyncTargetStart, cloneGi, uuidClearBitmap, uuidOnDemote} from '../gi';
import {decideHandshake, ruleName9, type HandshakeDecision, type Side} from '../handshake';
import {copyAll, copyBlocks, differingBlocks, exists} from '../images';
import {flushBuffers, loopIo, setReadOnly, deviceInUse} from '../devices';
import {imagePath} from '../store';
import type {AfterSb0, ConnState, DiskState, ResourceState, Runtime} from '../types';
import {diskRank} from '../types';
import {peerOf} from '../view';
import {bitmapBlocks, clearBitmap, commit, commitBoth, deviceBlocks, ensureTracking, freezeBitmap, klog, noteExtents,
  nrOf, rtOf, runHelper, syncProgress, newCurrentLine, type Ctx} from './context';

// A connection counts as established from WFReportParams on.
export const isConnected = (rt: Runtime | null | undefined): boolean =>
  !!rt && (rt.conn === 'Connected' || rt.conn === 'WFReportParams');

// sanitize_state on a lost connection: peer unknown, a known-good peer disk becomes DUnknown.
function forgetPeer(rt: Runtime): void {
  rt.peerRole = 'Unknown';
  rt.repl = 'Off';
  if (diskRank(rt.peerDisk) > diskRank('DUnknown') || diskRank(rt.peerDisk) < diskRank('Inconsistent')) rt.peerDisk = 'DUnknown';
}

// "Lost contact to peer's copy of the data": a Primary with UpToDate data
// and no bitmap UUID starts a new data generation.
function lostPeerData(ctx: Ctx, rs: ResourceState, node: string, oldPeerDisk: DiskState): void {
  const nr = nrOf(rs, node);
  const rt = rtOf(rs, node);
  const hadData = diskRank(oldPeerDisk) >= diskRank('Inconsistent') && oldPeerDisk !== 'DUnknown' && oldPeerDisk !== 'Outdated';
  const lost = rt.peerDisk === 'DUnknown' || rt.peerDisk === 'Outdated' || diskRank(rt.peerDisk) < diskRank('Inconsistent');
  if (!hadData || !lost) return;
  if (rt.role !== 'Primary' || nr.md.gi.bitmap !== '0000000000000000' || rt.disk !== 'UpToDate') return;
  nr.md.gi = uuidNewCurrent(nr.md.gi, 'Primary', ctx.random).gi;
  klog(ctx, rs, node, 'dev', newCurrentLine(rs, nr.md.gi));
}

// Aborts a running resync: the blocks still to copy stay in both bitmaps.
function abortSync(ctx: Ctx, rs: ResourceState): void {
  for (const n of rs.config.nodes) {
    const rt = rs.nodes[n.name]?.rt;
    if (!rt?.sync) continue;
    freezeBitmap(ctx, rs, n.name, rt.sync.blocks);
    rt.sync = null;
  }
}

// Drops the connection on one node to `to` (StandAlone, or back to Connecting).
function dropOne(ctx: Ctx, rs: ResourceState, node: string, steps: ConnState[], scope: 'conn' | 'dev' = 'conn'): void {
  const rt = rtOf(rs, node);
  const oldPeerDisk = rt.peerDisk;
  steps.forEach((step, i) => {
    rt.conn = step;
    if (i === 0) forgetPeer(rt);
    commit(ctx, rs, node, scope);
    if (i === 0) {
      lostPeerData(ctx, rs, node, oldPeerDisk);
      ensureTracking(ctx, rs, node);
    }
  });
}

// The fence-peer helper of a node (fencing policy set, peer unknown):
// applies its exit code like conn_try_outdate_peer and returns whether the
// peer now counts as outdated.
export function fencePeer(ctx: Ctx, rs: ResourceState, node: string): boolean {
  const rt = rtOf(rs, node);
  const c = rs.config;
  if (c.fencing === 'dont-care') return true;
  if (diskRank(rt.peerDisk) <= diskRank('Outdated') && rt.peerDisk !== 'Diskless') return true;
  if (c.fencing === 'resource-and-stonith') {
    rt.suspFencing = true;
    commit(ctx, rs, node, 'conn');
  }
  const simulated = ctx.state.fenceRc ?? undefined;
  const rc = runHelper(ctx, rs, node, 'fence-peer', {deviceLevel: false, simulatedRc: simulated,
    env: c.flavor === '9' ? {UP_TO_DATE_NODES: upToDateNodes(rs, node)} : {}});
  let text: string | null = null;
  switch (rc) {
    case 3: text = 'peer is inconsistent or worse'; rt.peerDisk = 'Inconsistent'; break;
    case 4: text = 'peer was fenced'; rt.peerDisk = 'Outdated'; break;
    case 5:
      if (rt.disk === 'UpToDate') {
        text = 'peer is unreachable, assumed to be dead';
        rt.peerDisk = 'Outdated';
      } else {
        text = 'peer unreachable, doing nothing since disk != UpToDate';
      }
      break;
    case 6: text = 'peer is active'; klog(ctx, rs, node, 'conn', 'Peer is primary, outdating myself.'); rt.disk = 'Outdated'; break;
    case 7:
      if (c.fencing !== 'resource-and-stonith') klog(ctx, rs, node, 'conn', 'fence-peer() = 7 && fencing != Stonith !!!');
      text = 'peer was stonithed';
      rt.peerDisk = 'Outdated';
      break;
    default:
      klog(ctx, rs, node, 'conn', `fence-peer helper broken, returned ${rc}`);
  }
  if (text !== null) klog(ctx, rs, node, 'conn', `fence-peer helper returned ${rc} (${text})`);
  rt.suspFencing = false;
  commit(ctx, rs, node, 'conn');
  return diskRank(rt.peerDisk) <= diskRank('Outdated') && rt.peerDisk !== 'Diskless';
}

function upToDateNodes(rs: ResourceState, node: string): string {
  const self = rs.config.nodes.find((n) => n.name === node);
  const rt = rs.nodes[node]?.rt;
  const mask = rt?.disk === 'UpToDate' && self ? 1 << self.nodeId : 0;
  return `0x${mask.toString(16)}`;
}

// Both sides lose a connection to a network failure; each returns to
// Connecting; a Primary starts a new generation and, with fencing, calls fence-peer.
export function networkFailure(ctx: Ctx, rs: ResourceState, reason = 'PingAck did not arrive in time.'): void {
  abortSync(ctx, rs);
  for (const n of rs.config.nodes) {
    const rt = rs.nodes[n.name]?.rt;
    if (!isConnected(rt)) continue;
    klog(ctx, rs, n.name, 'conn', reason);
    dropOne(ctx, rs, n.name, ['NetworkFailure', 'Unconnected', 'Connecting']);
  }
  for (const n of rs.config.nodes) {
    const rt = rs.nodes[n.name]?.rt;
    if (rt?.role === 'Primary' && rs.config.fencing !== 'dont-care' && rt.peerDisk === 'DUnknown') fencePeer(ctx, rs, n.name);
  }
}

// The peer of `node` vanished (crash, or its runtime is gone): this side alone sees a network failure.
export function peerLost(ctx: Ctx, rs: ResourceState, node: string): void {
  const rt = rs.nodes[node]?.rt;
  if (!isConnected(rt)) return;
  abortSync(ctx, rs);
  klog(ctx, rs, node, 'conn', 'PingAck did not arrive in time.');
  dropOne(ctx, rs, node, ['NetworkFailure', 'Unconnected', 'Connecting']);
  if (rt?.role === 'Primary' && rs.config.fencing !== 'dont-care' && rt.peerDisk === 'DUnknown') fencePeer(ctx, rs, node);
}

// A graceful disconnect by `node` (drbdadm disconnect/down): with a fencing
// policy the Secondary side ends Outdated; `node` goes StandAlone, the
// peer back to Connecting.
export function gracefulDisconnect(ctx: Ctx, rs: ResourceState, node: string): void {
  const rt = rtOf(rs, node);
  const peerName = peerOf(rs, node).name;
  const prt = rs.nodes[peerName]?.rt;
  abortSync(ctx, rs);
  if (isConnected(rt) && prt && isConnected(prt)) {
    if (rs.config.fencing !== 'dont-care') {
      if (rt.role === 'Primary' && prt.role !== 'Primary' && diskRank(prt.disk) >= diskRank('Outdated')) {
        rt.peerDisk = 'Outdated';
        prt.disk = 'Outdated';
      } else if (rt.role !== 'Primary' && prt.role === 'Primary' && diskRank(rt.disk) >= diskRank('Outdated')) {
        rt.disk = 'Outdated';
        prt.peerDisk = 'Outdated';
      }
    }
    dropOne(ctx, rs, peerName, ['TearDown', 'Unconnected', 'Connecting']);
  }
  dropOne(ctx, rs, node, ['Disconnecting', 'StandAlone']);
  rt.netConfigured = false;
  rt.discardMyData = false;
  commit(ctx, rs, node, 'conn');
}

// Drops a handshake on both sides (split brain, unrelated data, ...): both StandAlone.
function abandon(ctx: Ctx, rs: ResourceState): void {
  for (const n of rs.config.nodes) {
    const rt = rtOf(rs, n.name);
    dropOne(ctx, rs, n.name, ['Disconnecting', 'StandAlone']);
    rt.netConfigured = false;
    rt.discardMyData = false;
    commit(ctx, rs, n.name, 'conn');
  }
}

function sideOf(ctx: Ctx, rs: ResourceState, node: string): Side {
  const nr = nrOf(rs, node);
  const rt = rtOf(rs, node);
  return {gi: cloneGi(nr.md.gi), bits: rt.disk === 'Diskless' ? 0 : bitmapBlocks(ctx, rs, node).length,
    crashedPrimary: rt.crashedPrimary, discardMyData: rt.discardMyData, role: rt.role, disk: rt.disk};
}

function logCompare(ctx: Ctx, rs: ResourceState, node: string, self: Side, peer: Side, d: HandshakeDecision): void {
  const flags = (peer.discardMyData ? 1 : 0) | (peer.crashedPrimary ? 2 : 0);
  const lines = ['drbd_sync_handshake:', `self ${giUuids(self.gi)} bits:${self.bits} flags:0`,
    `peer ${giUuids(peer.gi)} bits:${peer.bits} flags:${flags.toString(16).toUpperCase()}`];
  if (d.compare.note) lines.push(d.compare.note);
  if (rs.config.flavor === '8.4') lines.push(`uuid_compare()=${d.compare.hg} by rule ${d.compare.rule}`);
  else {
    const n = ruleName9(d.compare);
    lines.push(`uuid_compare()=${n.strategy} by rule=${n.rule}`);
  }
  klog(ctx, rs, node, 'dev', ...lines);
}

// Both nodes are Connecting and the link is up: they connect and run the
// handshake (or renegotiate when `renegotiate`: a forced Primary while connected).
export function handshake(ctx: Ctx, rs: ResourceState, renegotiate = false): void {
  const [a, b] = rs.config.nodes;
  const ra = rtOf(rs, a.name);
  const rb = rtOf(rs, b.name);
  if (!renegotiate) {
    for (const n of [a, b]) {
      const rt = rtOf(rs, n.name);
      if (rs.config.flavor === '8.4') klog(ctx, rs, n.name, 'res', 'Handshake successful: Agreed network protocol version 101');
      else klog(ctx, rs, n.name, 'conn', 'Handshake to peer 1 successful: Agreed network protocol version 122');
      rt.conn = 'WFReportParams';
      commit(ctx, rs, n.name, 'conn');
    }
    if (ra.discardMyData && rb.discardMyData) {
      for (const n of [a, b]) klog(ctx, rs, n.name, 'res', 'incompatible discard-my-data settings');
      abandon(ctx, rs);
      return;
    }
  }
  if (ra.disk === 'Diskless' || rb.disk === 'Diskless') {
    establish(ctx, rs, a.name, b.name);
    return;
  }
  const sa = sideOf(ctx, rs, a.name);
  const sb = sideOf(ctx, rs, b.name);
  const common = {afterSb1: rs.config.afterSb1, afterSb2: rs.config.afterSb2, rrConflict: rs.config.rrConflict, flavor: rs.config.flavor};
  // discard-node-<name>: discard-local on that node, discard-remote on the other.
  const sb0 = (node: string): AfterSb0 => (rs.config.discardNode ? (node === rs.config.discardNode ? 'discard-local' : 'discard-remote') : rs.config.afterSb0);
  const da = decideHandshake({self: sa, peer: sb, resolveConflicts: true, selfHeldOpen: heldOpen(ra), afterSb0: sb0(a.name), ...common});
  const db = decideHandshake({self: sb, peer: sa, resolveConflicts: false, selfHeldOpen: heldOpen(rb), afterSb0: sb0(b.name), ...common});
  logCompare(ctx, rs, a.name, sa, sb, da);
  logCompare(ctx, rs, b.name, sb, sa, db);
  if (da.splitBrain) runHelper(ctx, rs, a.name, 'initial-split-brain', {deviceLevel: true});
  if (db.splitBrain) runHelper(ctx, rs, b.name, 'initial-split-brain', {deviceLevel: true});
  for (const [n, d, rt] of [[a.name, da, ra], [b.name, db, rb]] as const) {
    for (const line of d.log) {
      klog(ctx, rs, n, 'dev', line);
      if (line.startsWith('Split-Brain detected but unresolved')) runHelper(ctx, rs, n, 'split-brain', {deviceLevel: true});
    }
    if (d.demoteSelf) demote(ctx, rs, n);
    if (d.priLostAfterSb) runHelper(ctx, rs, n, 'pri-lost-after-sb', {deviceLevel: true});
    for (const h of d.helpers) runHelper(ctx, rs, n, h, {deviceLevel: true});
    rt.discardMyData = false;
  }
  const oa = da.outcome;
  const ob = db.outcome;
  const mirrored = (oa.kind === 'no-sync' && ob.kind === 'no-sync')
    || (oa.kind === 'sync' && ob.kind === 'sync' && oa.source !== ob.source);
  if (oa.kind === 'disconnect' || ob.kind === 'disconnect' || !mirrored) {
    if (renegotiate) {
      // Already connected: keep the connection, nothing to sync.
      return;
    }
    abandon(ctx, rs);
    return;
  }
  if (oa.kind === 'no-sync') {
    establish(ctx, rs, a.name, b.name);
    return;
  }
  if (oa.kind !== 'sync' || ob.kind !== 'sync') return;
  const source = oa.source ? a.name : b.name;
  const target = oa.source ? b.name : a.name;
  const full = oa.full || ob.full || nrOf(rs, a.name).bitmap.full || nrOf(rs, b.name).bitmap.full;
  const union = full ? 'full' as const : [...new Set([...bitmapBlocks(ctx, rs, a.name), ...bitmapBlocks(ctx, rs, b.name)])].sort((x, y) => x - y);
  beginSync(ctx, rs, source, target, union, renegotiate);
}

function heldOpen(rt: Runtime): boolean {
  return rt.holdOpen || (rt.loop !== null && deviceInUse(rt.loop));
}

// call-pri-lost-after-sb: the losing Primary gives up its role.
function demote(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  const rt = rtOf(rs, node);
  rt.role = 'Secondary';
  nr.md.gi = uuidOnDemote(nr.md.gi);
  if (rt.loop) setReadOnly(rt.loop, true);
  commit(ctx, rs, node, 'dev');
}

// Connected without resync: Consistent/Outdated become UpToDate on both sides.
function establish(ctx: Ctx, rs: ResourceState, a: string, b: string): void {
  const ra = rtOf(rs, a);
  const rb = rtOf(rs, b);
  for (const [rt, peer] of [[ra, rb], [rb, ra]] as const) {
    rt.conn = 'Connected';
    rt.repl = 'Established';
    rt.peerRole = peer.role;
    rt.peerDisk = peer.disk;
  }
  for (const rt of [ra, rb]) {
    if (rt.disk === 'Consistent' || rt.disk === 'Outdated') rt.disk = 'UpToDate';
    if (rt.peerDisk === 'Consistent' || rt.peerDisk === 'Outdated') rt.peerDisk = 'UpToDate';
  }
  for (const [n, rt] of [[a, ra], [b, rb]] as const) {
    rt.crashedPrimary = false;
    nrOf(rs, n).md.flags.crashedPrimary = false;
    commit(ctx, rs, n, 'dev');
  }
  if (ra.disk === 'UpToDate' && rb.disk === 'UpToDate') {
    clearBitmap(ctx, rs, a);
    clearBitmap(ctx, rs, b);
  }
}

// Starts a resync: bitmap exchange, sync UUIDs, before-resync helpers.
function beginSync(ctx: Ctx, rs: ResourceState, source: string, target: string, blocks: number[] | 'full', renegotiate: boolean): void {
  const snr = nrOf(rs, source);
  const tnr = nrOf(rs, target);
  const srt = rtOf(rs, source);
  const trt = rtOf(rs, target);
  const sourceGiAtHandshake = cloneGi(snr.md.gi);
  srt.conn = 'Connected';
  trt.conn = 'Connected';
  srt.peerRole = trt.role;
  trt.peerRole = srt.role;
  srt.repl = 'WFBitMapS';
  srt.peerDisk = renegotiate ? 'Inconsistent' : 'Consistent';
  trt.repl = 'WFBitMapT';
  if (trt.disk === 'UpToDate' || trt.disk === 'Consistent') trt.disk = 'Outdated';
  trt.peerDisk = srt.disk;
  commit(ctx, rs, source, 'dev');
  commit(ctx, rs, target, 'dev');
  trt.repl = 'WFSyncUUID';
  commit(ctx, rs, target, 'dev');
  const started = uuidSyncSourceStart(snr.md.gi, ctx.random);
  snr.md.gi = started.gi;
  tnr.md.gi = uuidSyncTargetStart(tnr.md.gi, started.syncUuid, trt.role);
  klog(ctx, rs, target, 'dev', `updated sync uuid ${giUuids(tnr.md.gi)}`);
  runHelper(ctx, rs, target, 'before-resync-target', {deviceLevel: true});
  trt.repl = 'SyncTarget';
  trt.disk = 'Inconsistent';
  runHelper(ctx, rs, source, 'before-resync-source', {deviceLevel: true});
  srt.repl = 'SyncSource';
  srt.peerDisk = 'Inconsistent';
  const total = blocks === 'full' ? deviceBlocks(rs) : blocks.length;
  const now = ctx.now();
  srt.sync = {source: true, blocks, totalBlocks: total, startedMs: now};
  trt.sync = {source: false, blocks, totalBlocks: total, startedMs: now};
  trt.peerGi = sourceGiAtHandshake;
  commit(ctx, rs, target, 'dev');
  commit(ctx, rs, source, 'dev');
  for (const [n, side] of [[target, 'SyncTarget'], [source, 'SyncSource']] as const) {
    klog(ctx, rs, n, 'dev', `Began resync as ${side} (will sync ${total * 4} KB [${total} bits set]).`);
  }
  klog(ctx, rs, source, 'dev', `updated sync UUID ${giUuids(snr.md.gi)}`);
  if (syncProgress(ctx, rs, now, total) >= 1) finishSync(ctx, rs);
}

// Completes a resync: copies the blocks, rotates UUIDs, clears both bitmaps.
export function finishSync(ctx: Ctx, rs: ResourceState): void {
  const names = rs.config.nodes.map((n) => n.name);
  const source = names.find((n) => rs.nodes[n]?.rt?.sync?.source === true);
  const target = names.find((n) => rs.nodes[n]?.rt?.sync?.source === false);
  if (!source || !target) return;
  const snr = nrOf(rs, source);
  const tnr = nrOf(rs, target);
  const srt = rtOf(rs, source);
  const trt = rtOf(rs, target);
  const sync = srt.sync;
  if (!sync) return;
  const from = imagePath(ctx.env.stateDir, rs.config.name, source);
  const to = imagePath(ctx.env.stateDir, rs.config.name, target);
  if (sync.blocks === 'full') copyAll(from, to, deviceBlocks(rs));
  else copyBlocks(from, to, sync.blocks);
  if (trt.loop) flushBuffers(trt.loop);
  const kib = sync.totalBlocks * 4;
  const seconds = Math.max(1, Math.round((ctx.now() - sync.startedMs) / 1000));
  srt.counters.sent += kib;
  srt.counters.read += kib;
  trt.counters.received += kib;
  trt.counters.written += kib;
  noteExtents(trt, sync.blocks === 'full' ? [] : sync.blocks);
  for (const n of [source, target]) {
    klog(ctx, rs, n, 'dev', `Resync done (total ${seconds} sec; paused 0 sec; ${Math.round(kib / seconds)} K/sec)`);
  }
  snr.md.gi = uuidSyncSourceFinish(snr.md.gi);
  tnr.md.gi = trt.peerGi ? uuidSyncTargetFinish(tnr.md.gi, trt.peerGi, trt.role) : uuidClearBitmap(tnr.md.gi);
  klog(ctx, rs, source, 'dev', `updated UUIDs ${giUuids(snr.md.gi)}`);
  klog(ctx, rs, target, 'dev', `updated UUIDs ${giUuids(tnr.md.gi)}`);
  srt.sync = null;
  trt.sync = null;
  srt.repl = 'Established';
  srt.peerDisk = 'UpToDate';
  trt.repl = 'Established';
  trt.disk = 'UpToDate';
  trt.peerDisk = srt.disk;
  for (const rt of [srt, trt]) rt.crashedPrimary = false;
  clearBitmap(ctx, rs, source);
  clearBitmap(ctx, rs, target);
  commit(ctx, rs, source, 'dev');
  commit(ctx, rs, target, 'dev');
  runHelper(ctx, rs, target, 'after-resync-target', {deviceLevel: true});
}

// Protocol C as seen by anyone who asks: the Primary's blocks that differ
// from the Secondary's image (except those a running resync will copy)
// are copied over now.
export function replicate(ctx: Ctx, rs: ResourceState): void {
  const [a, b] = rs.config.nodes.map((n) => n.name);
  if (!a || !b) return;
  const ra = rs.nodes[a]?.rt;
  const rb = rs.nodes[b]?.rt;
  if (!ra || !rb || ra.conn !== 'Connected' || rb.conn !== 'Connected') return;
  if (ra.disk === 'Diskless' || rb.disk === 'Diskless') return;
  const primaries = [ra.role, rb.role].filter((r) => r === 'Primary').length;
  if (primaries !== 1) return;
  const [src, dst] = ra.role === 'Primary' ? [a, b] : [b, a];
  const srt = rtOf(rs, src);
  const drt = rtOf(rs, dst);
  const from = imagePath(ctx.env.stateDir, rs.config.name, src);
  const to = imagePath(ctx.env.stateDir, rs.config.name, dst);
  if (!exists(from) || !exists(to)) return;
  const pending = srt.sync && srt.sync.blocks !== 'full' ? new Set(srt.sync.blocks) : undefined;
  if (srt.sync?.blocks === 'full') return;
  const blocks = differingBlocks(from, to, deviceBlocks(rs), pending);
  if (blocks.length === 0) return;
  copyBlocks(from, to, blocks);
  if (drt.loop) flushBuffers(drt.loop);
  srt.counters.sent += blocks.length * 4;
  drt.counters.received += blocks.length * 4;
  drt.counters.written += blocks.length * 4;
  noteExtents(srt, blocks);
}

// Accounts I/O done through a node's loop device since the last look.
export function accountIo(rs: ResourceState, node: string): void {
  const rt = rs.nodes[node]?.rt;
  if (!rt?.loop) return;
  const io = loopIo(rt.loop);
  const dr = Math.max(0, io.readSectors - rt.loopSeen.readSectors);
  const dw = Math.max(0, io.writeSectors - rt.loopSeen.writeSectors);
  rt.counters.read += Math.floor(dr / 2);
  rt.counters.written += Math.floor(dw / 2);
  rt.loopSeen = io;
}

// Brings the simulated world up to date: I/O accounting, replication,
// pending handshakes, resync progress, change tracking.
export function settle(ctx: Ctx): void {
  for (const rs of Object.values(ctx.state.resources)) {
    for (const n of rs.config.nodes) accountIo(rs, n.name);
    replicate(ctx, rs);
    for (let round = 0; round < 3; round++) {
      const rts = rs.config.nodes.map((n) => rs.nodes[n.name]?.rt);
      const [ra, rb] = rts;
      if (ctx.state.link === 'up' && ra && rb && ra.conn === 'Connecting' && rb.conn === 'Connecting'
        && !ctx.state.noModule[rs.config.nodes[0].name] && !ctx.state.noModule[rs.config.nodes[1].name]) {
        handshake(ctx, rs);
        continue;
      }
      break;
    }
    const syncing = rs.config.nodes.map((n) => rs.nodes[n.name]?.rt?.sync).find((s) => s);
    if (syncing && syncProgress(ctx, rs, syncing.startedMs, syncing.totalBlocks) >= 1) finishSync(ctx, rs);
    replicate(ctx, rs);
    for (const n of rs.config.nodes) {
      const rt = rs.nodes[n.name]?.rt;
      if (!rt || rt.disk === 'Diskless') continue;
      if (!(rt.conn === 'Connected' && rt.repl === 'Established')) ensureTracking(ctx, rs, n.name);
    }
  }
}
