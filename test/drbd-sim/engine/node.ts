// What one node does to its side of a resource: create/attach/up/adjust/
// down, connect/disconnect, primary/secondary with the kernel's refusals,
// outdate, new-current-uuid, and the faults (crash, clean reboot).
// Refusals throw SimRefusal with the kernel's error code.
import {giUuids, uuidNewCurrent, uuidOnDemote, uuidOnPromote, uuidSetBitmap, withPrimaryBit, ZERO} from '../gi';
import {attachLoop, detachLoop, deviceInUse, linkDevice, loopIo, loopsOf, setReadOnly, unlinkDevice, writeRandom} from '../devices';
import {SimRefusal} from '../errors';
import {imagePath} from '../store';
import type {ResourceState, Runtime} from '../types';
import {diskRank} from '../types';
import {peerOf} from '../view';
import {clearBitmap, commit, deviceBlocks, deviceOf, klog, newCurrentLine, nrOf, rtOf, type Ctx} from './context';
import {fencePeer, gracefulDisconnect, handshake, isConnected, peerLost} from './connection';

const refuse = (code: number, info?: string[]): never => {
  throw new SimRefusal(info ? {code, info} : {code});
};

function freshRuntime(): Runtime {
  return {
    role: 'Secondary', disk: 'Diskless', peerDefined: false, netConfigured: false, conn: 'StandAlone', repl: 'Off',
    peerRole: 'Unknown', peerDisk: 'DUnknown', discardMyData: false, crashedPrimary: false, suspFencing: false,
    loop: null, holdOpen: false, counters: {read: 0, written: 0, sent: 0, received: 0, alWrites: 0, bmWrites: 0},
    loopSeen: {readSectors: 0, writeSectors: 0}, alExtents: [], sync: null, peerGi: null,
  };
}

// Whether the node's device is held open (hold-open flag, mounted, or open).
export function inUse(rt: Runtime): boolean {
  return rt.holdOpen || (rt.loop !== null && deviceInUse(rt.loop));
}

// new-resource + new-minor: the resource exists (Diskless, StandAlone) and
// its device node appears (the image on a read-only loop device).
export function createResource(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  if (nr.rt) return;
  const rt = freshRuntime();
  const image = imagePath(ctx.env.stateDir, rs.config.name, node);
  for (const stale of loopsOf(image)) detachLoop(stale);
  rt.loop = attachLoop(image, rs.config.usableKiB);
  setReadOnly(rt.loop, true);
  rt.loopSeen = loopIo(rt.loop);
  linkDevice(deviceOf(ctx, rs, node), rt.loop);
  nr.rt = rt;
  commit(ctx, rs, node, 'dev');
}

// attach: the disk state comes from the meta-data flags (Consistent turns
// UpToDate without fencing or with the peer known Outdated); a node that
// was Primary when it went down becomes a crashed primary.
export function attach(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) return refuse(127, ['unknown minor']);
  if (rt.disk !== 'Diskless') return refuse(124);
  const f = nr.md.flags;
  rt.disk = 'Attaching';
  commit(ctx, rs, node, 'dev');
  let disk: Runtime['disk'] = f.consistent ? (f.wasUpToDate ? 'Consistent' : 'Outdated') : 'Inconsistent';
  if (!isConnected(rt) && f.peerOutdated) rt.peerDisk = 'Outdated';
  if (disk === 'Consistent' && (rt.peerDisk === 'Outdated' || rs.config.fencing === 'dont-care')) disk = 'UpToDate';
  if (f.primary) {
    rt.crashedPrimary = true;
    f.crashedPrimary = true;
  }
  rt.disk = disk;
  rt.counters.alWrites = 8;
  rt.alExtents = [];
  commit(ctx, rs, node, 'dev');
  if (isConnected(rt) && isConnected(rs.nodes[peerOf(rs, node).name]?.rt)) handshake(ctx, rs, true);
}

// connect (net config): only from StandAlone; --discard-my-data not on a Primary.
export function connect(ctx: Ctx, rs: ResourceState, node: string, discardMyData: boolean): void {
  const rt = rs.nodes[node]?.rt;
  if (!rt) return refuse(158);
  if (discardMyData && rt.role === 'Primary') return refuse(123);
  if (rt.conn !== 'StandAlone') return refuse(rs.config.flavor === '9' ? 125 : 102);
  if (!rt.peerDefined) {
    rt.peerDefined = true;
    commit(ctx, rs, node, 'conn');
  }
  rt.netConfigured = true;
  rt.discardMyData = discardMyData;
  // A new net configuration starts the connection's counters afresh (8.4 observed: ns/nr).
  rt.counters.sent = 0;
  rt.counters.received = 0;
  rt.conn = 'Unconnected';
  commit(ctx, rs, node, 'conn');
  rt.conn = 'Connecting';
  commit(ctx, rs, node, 'conn');
}

// disconnect: 8.4 cannot name a connection without net config (162); 9 treats StandAlone as done.
export function disconnect(ctx: Ctx, rs: ResourceState, node: string): void {
  const rt = rs.nodes[node]?.rt;
  if (!rt) return refuse(rs.config.flavor === '8.4' ? 162 : 158, rs.config.flavor === '8.4' ? ['unknown connection'] : undefined);
  if (rt.conn === 'StandAlone') {
    if (rs.config.flavor === '8.4') return refuse(162, ['unknown connection']);
    return;
  }
  gracefulDisconnect(ctx, rs, node);
}

// primary [--force]: the kernel's checks in drbd_set_role order, with
// fence-peer when the peer is unknown and a fencing policy is set.
export function primary(ctx: Ctx, rs: ResourceState, node: string, force: boolean): void {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) return refuse(rs.config.flavor === '8.4' ? 127 : 158, rs.config.flavor === '8.4' ? ['unknown minor'] : undefined);
  if (rt.role === 'Primary') return;
  const connected = rt.conn === 'Connected';
  if (connected && rt.peerRole === 'Primary' && !rs.config.allowTwoPrimaries) return refuse(-1);
  const peerGood = connected && rt.peerDisk === 'UpToDate';
  const oldDisk = rt.disk;
  let forced = false;
  let fenced = false;
  if (rt.disk === 'Diskless' && !peerGood) return refuse(-2);
  if (rt.disk !== 'UpToDate' && rt.disk !== 'Diskless' && !peerGood && !(connected && rt.disk === 'Inconsistent' && rt.peerDisk === 'UpToDate')) {
    if (rt.disk === 'Consistent' && rs.config.fencing !== 'dont-care' && !connected && rt.peerDisk === 'DUnknown') {
      fenced = true;
      if (fencePeer(ctx, rs, node)) rt.disk = rt.disk === 'Consistent' ? 'UpToDate' : rt.disk;
    }
    if (rt.disk !== 'UpToDate') {
      if (!force || diskRank(rt.disk) < diskRank('Inconsistent')) return refuse(-2);
      rt.disk = 'UpToDate';
      forced = true;
    }
  }
  if (rs.config.fencing !== 'dont-care' && !connected && diskRank(rt.peerDisk) >= diskRank('DUnknown')) {
    const outdated = !fenced && fencePeer(ctx, rs, node);
    if (!outdated && diskRank(rt.peerDisk) >= diskRank('DUnknown')) {
      if (!force) return refuse(-7);
      klog(ctx, rs, node, 'dev', 'Forced into split brain situation!');
      rt.peerDisk = 'Outdated';
    }
  }
  rt.role = 'Primary';
  if (rt.loop) setReadOnly(rt.loop, false);
  commit(ctx, rs, node, 'dev');
  if (forced) klog(ctx, rs, node, 'dev', 'Forced to consider local data as UpToDate!');
  if (rt.disk !== 'Diskless') {
    const promoted = uuidOnPromote(nr.md.gi, {connected: connected && rt.peerDisk !== 'Diskless', forced}, ctx.random);
    if (promoted.bitmapWasSet) klog(ctx, rs, node, 'dev', `bm UUID was already set: ${promoted.bitmapWasSet}`);
    const renewed = promoted.gi.bitmap !== nr.md.gi.bitmap || forced;
    nr.md.gi = promoted.gi;
    if (renewed) klog(ctx, rs, node, 'dev', newCurrentLine(rs, nr.md.gi));
  }
  commit(ctx, rs, node, 'dev');
  const peer = peerOf(rs, node).name;
  const prt = rs.nodes[peer]?.rt;
  if (connected && prt && isConnected(prt)) {
    prt.peerRole = 'Primary';
    if (oldDisk !== rt.disk) prt.peerDisk = rt.disk;
    commit(ctx, rs, peer, 'conn');
    if (forced && prt.disk === 'Inconsistent') handshake(ctx, rs, true);
  }
}

// secondary: refused while the device is open.
export function secondary(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) return refuse(rs.config.flavor === '8.4' ? 127 : 158, rs.config.flavor === '8.4' ? ['unknown minor'] : undefined);
  if (rt.role === 'Secondary') return;
  if (inUse(rt)) return refuse(-12);
  rt.role = 'Secondary';
  nr.md.gi = uuidOnDemote(nr.md.gi);
  becameSecondary(ctx, rs, node, rt);
}

// outdate: a disconnected Secondary's disk becomes Outdated; a Primary
// refuses (17); a connected node is refused and drbdadm's drbdmeta fallback
// silently does nothing (observed exit 0); when down the meta-data is marked.
export function outdate(ctx: Ctx, rs: ResourceState, node: string): 'done' | 'connected' | 'down' {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) {
    if (nr.md.flags.consistent) nr.md.flags.wasUpToDate = false;
    return 'down';
  }
  if (rt.disk === 'Diskless' || diskRank(rt.disk) < diskRank('Outdated')) return refuse(-16);
  if (isConnected(rt)) return 'connected';
  if (rt.role === 'Primary' && rt.peerDisk !== 'UpToDate') return refuse(-2);
  if (rt.disk === 'Outdated') return 'done';
  rt.disk = 'Outdated';
  commit(ctx, rs, node, 'dev');
  return 'done';
}

// new-current-uuid [--clear-bitmap]: while connected only as "skip initial sync" of just-created data.
export function newCurrentUuid(ctx: Ctx, rs: ResourceState, node: string, clearBm: boolean): void {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) return refuse(127, ['unknown minor']);
  if (rt.disk === 'Diskless') return refuse(138);
  const peerName = peerOf(rs, node).name;
  const prt = rs.nodes[peerName]?.rt;
  const skipInitialSync = rt.conn === 'Connected' && nr.md.gi.current === '0000000000000004' && clearBm;
  if (skipInitialSync) klog(ctx, rs, node, 'dev', 'Preparing to skip initial sync');
  else if (rt.conn !== 'StandAlone') return refuse(151);
  nr.md.gi = uuidSetBitmap(nr.md.gi, ZERO);
  nr.md.gi = uuidNewCurrent(nr.md.gi, rt.role, ctx.random).gi;
  klog(ctx, rs, node, 'dev', newCurrentLine(rs, nr.md.gi));
  if (!clearBm) return;
  clearBitmap(ctx, rs, node);
  if (skipInitialSync && prt) {
    nr.md.gi = {...nr.md.gi, bitmap: ZERO};
    klog(ctx, rs, node, 'dev', `cleared bitmap UUID ${giUuids(nr.md.gi)}`);
    rt.disk = 'UpToDate';
    rt.peerDisk = 'UpToDate';
    commit(ctx, rs, node, 'dev');
    const pnr = nrOf(rs, peerName);
    pnr.md.gi = {current: withPrimaryBit(nr.md.gi.current, prt.role === 'Primary'), bitmap: ZERO, history: [ZERO, ZERO]};
    clearBitmap(ctx, rs, peerName);
    klog(ctx, rs, peerName, 'dev', `receiver updated UUIDs to ${giUuids(pnr.md.gi)}`);
    prt.disk = 'UpToDate';
    prt.peerDisk = 'UpToDate';
    commit(ctx, rs, peerName, 'dev');
  }
}

// down: demote (refused while open), disconnect gracefully, detach, delete the minor.
export function down(ctx: Ctx, rs: ResourceState, node: string): void {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) return;
  if (inUse(rt)) return refuse(-12);
  if (rt.role === 'Primary') demoteForDown(ctx, rs, node);
  if (rt.conn !== 'StandAlone') gracefulDisconnect(ctx, rs, node);
  destroyRuntime(ctx, rs, node, true);
}

// The demotion inside down: the role and the primary flag change, but the
// current UUID keeps bit 0 on disk (8.4.11 observed: the cleared bit is not
// marked dirty, so the meta-data written at down still has it set).
function demoteForDown(ctx: Ctx, rs: ResourceState, node: string): void {
  const rt = rtOf(rs, node);
  rt.role = 'Secondary';
  becameSecondary(ctx, rs, node, rt);
}

// The node's runtime disappears: device gone, meta-data as last written.
function destroyRuntime(ctx: Ctx, rs: ResourceState, node: string, clean: boolean): void {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) return;
  if (clean && rt.disk !== 'Diskless') {
    rt.disk = 'Failed';
    commit(ctx, rs, node, 'dev');
    rt.disk = 'Diskless';
    commit(ctx, rs, node, 'dev');
    nr.md.flags.alClean = true;
    nr.md.flags.connected = false;
  }
  unlinkDevice(deviceOf(ctx, rs, node));
  if (rt.loop) detachLoop(rt.loop);
  nr.rt = null;
  if (clean) commit(ctx, rs, node, 'dev');
  else ctx.events.set(`${rs.config.name}/${node}`, []);
}

// adjust: create what is missing; attach unless --skip-disk; connect a
// StandAlone connection unless --skip-net (adjust always reconnects StandAlone).
export function adjust(ctx: Ctx, rs: ResourceState, node: string, opts: {skipDisk: boolean; skipNet: boolean}): void {
  createResource(ctx, rs, node);
  const rt = rtOf(rs, node);
  if (!opts.skipDisk && rt.disk === 'Diskless') attach(ctx, rs, node);
  if (!opts.skipNet) {
    if (!rt.peerDefined) {
      rt.peerDefined = true;
      commit(ctx, rs, node, 'conn');
    }
    if (rt.conn === 'StandAlone') connect(ctx, rs, node, false);
  }
}

// up: like adjust on a resource that is down; refused when it is up.
export function up(ctx: Ctx, rs: ResourceState, node: string): void {
  if (nrOf(rs, node).rt) {
    return rs.config.flavor === '9' ? refuse(162, ['resource exists']) : refuse(124);
  }
  adjust(ctx, rs, node, {skipDisk: false, skipNet: false});
}

// crash: every runtime state of the node is lost at once; the peer sees a
// network failure; meta-data stays as last written (a Primary stays marked primary).
export function crash(ctx: Ctx, node: string): void {
  for (const rs of Object.values(ctx.state.resources)) {
    const nr = rs.nodes[node];
    if (!nr?.rt) continue;
    klog(ctx, rs, node, 'res', '--- simulated crash ---');
    const peer = peerOf(rs, node).name;
    if (isConnected(nr.rt)) peerLost(ctx, rs, peer);
    destroyRuntime(ctx, rs, node, false);
  }
  ctx.state.bootMs[node] = ctx.now();
}

// reboot: a clean power cycle: demote (even if open: the OS unmounted), disconnect, down.
export function reboot(ctx: Ctx, node: string): void {
  for (const rs of Object.values(ctx.state.resources)) {
    const nr = rs.nodes[node];
    if (!nr?.rt) continue;
    nr.rt.holdOpen = false;
    if (nr.rt.role === 'Primary') demoteForDown(ctx, rs, node);
    if (nr.rt.conn !== 'StandAlone') gracefulDisconnect(ctx, rs, node);
    destroyRuntime(ctx, rs, node, true);
  }
  ctx.state.bootMs[node] = ctx.now();
}

// write: random data through a Primary's device (a Secondary refuses like a real open would).
export function write(ctx: Ctx, rs: ResourceState, node: string, kib: number, offsetKiB?: number): {offsetKiB: number} {
  const nr = nrOf(rs, node);
  const rt = nr.rt;
  if (!rt) throw new Error(`${deviceOf(ctx, rs, node)}: No such device or address`);
  if (rt.role !== 'Primary') {
    throw new Error(`${deviceOf(ctx, rs, node)}: ${rs.config.flavor === '8.4' ? 'Wrong medium type' : 'Read-only file system'}`);
  }
  const blocks = deviceBlocks(rs);
  const kibBlocks = Math.ceil(kib / 4);
  let start = offsetKiB !== undefined ? Math.floor(offsetKiB / 4) : nr.writeCursor;
  if (start + kibBlocks > blocks) start = 0;
  if (kibBlocks > blocks) throw new Error(`write of ${kib} KiB does not fit the ${rs.config.usableKiB} KiB device`);
  writeRandom(deviceOf(ctx, rs, node), start * 4096, kib);
  nr.writeCursor = (start + kibBlocks) % blocks;
  return {offsetKiB: start * 4};
}

// hold-open: pretend someone holds the device open (demote/down refused).
export function holdOpen(rs: ResourceState, node: string, on: boolean): void {
  const rt = rs.nodes[node]?.rt;
  if (!rt) throw new Error(`${rs.config.name} is not up on ${node}`);
  rt.holdOpen = on;
}

// A node that just became Secondary: its device read-only, the peer told.
function becameSecondary(ctx: Ctx, rs: ResourceState, node: string, rt: ReturnType<typeof rtOf>): void {
  if (rt.loop) setReadOnly(rt.loop, true);
  commit(ctx, rs, node, 'dev');
  const peer = peerOf(rs, node).name;
  const prt = rs.nodes[peer]?.rt;
  if (isConnected(rt) && prt && isConnected(prt)) {
    prt.peerRole = 'Secondary';
    commit(ctx, rs, peer, 'conn');
  }
}
