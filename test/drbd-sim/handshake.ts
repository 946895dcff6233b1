// The connection handshake's decision, as the kernel makes it on each side:
// drbd_uuid_compare (8.4 rule numbers, 9 rule names), the after-sb recovery
// policies (drbd_asb_recover_{0,1,2}p), the discard-my-data resolution and
// drbd_sync_handshake's final choice. Pure: inputs are one side's view
// (its own UUIDs and bitmap weight, the peer's as received).
import {primaryBit, stripPrimary, toBig, UUID_JUST_CREATED, UUID_NEW_BM_OFFSET, ZERO} from './gi';
import type {AfterSb0, AfterSb1, AfterSb2, DiskState, Gi, Role, RrConflict} from './types';
import {diskRank} from './types';

export interface CompareResult {
  // drbd_uuid_compare's return value (hg), e.g. 0, ±1, ±2, 100, -100, -1000.
  hg: number;
  // 8.4 rule number (10 .. 100).
  rule: number;
  // Side effects the kernel applies to its copies while comparing.
  note?: string;
}

export interface Side {
  gi: Gi;
  // Bitmap weight (changed 4 KiB blocks), the handshake's "bits:".
  bits: number;
  crashedPrimary: boolean;
  discardMyData: boolean;
  role: Role;
  disk: DiskState;
}

const eq = (a: string, b: string): boolean => stripPrimary(a) === stripPrimary(b);

// drbd_uuid_compare (drbd-8.4.7 drbd_receiver.c), from `self`'s point of view.
// `resolveConflicts` is the RESOLVE_CONFLICTS flag of self's connection.
export function uuidCompare(self: Side, peer: Side, resolveConflicts: boolean): CompareResult {
  const s = stripPrimary(self.gi.current);
  const p = stripPrimary(peer.gi.current);
  if (s === UUID_JUST_CREATED && p === UUID_JUST_CREATED) return {hg: 0, rule: 10};
  if ((s === UUID_JUST_CREATED || s === ZERO) && p !== UUID_JUST_CREATED) return {hg: -2, rule: 20};
  if (s !== UUID_JUST_CREATED && (p === UUID_JUST_CREATED || p === ZERO)) return {hg: 2, rule: 30};
  if (s === p) {
    if (peer.gi.bitmap === ZERO && self.gi.bitmap !== ZERO) {
      const corrected = eq(self.gi.bitmap, peer.gi.history[0]) && eq(self.gi.history[0], peer.gi.history[1]);
      return {hg: 1, rule: corrected ? 34 : 36,
        note: corrected ? 'was SyncSource, missed the resync finished event, corrected myself:' : 'was SyncSource (peer failed to write sync_uuid)'};
    }
    if (self.gi.bitmap === ZERO && peer.gi.bitmap !== ZERO) {
      const corrected = eq(self.gi.history[0], peer.gi.bitmap) && eq(self.gi.history[1], peer.gi.history[0]);
      return {hg: -1, rule: corrected ? 35 : 37,
        note: corrected ? 'was SyncTarget, peer missed the resync finished event, corrected peer:' : 'was SyncTarget (failed to write sync_uuid)'};
    }
    // Common power [off|failure]: roles at crash time.
    const rct = (self.crashedPrimary ? 1 : 0) + (peer.crashedPrimary ? 2 : 0);
    switch (rct) {
      case 0: return {hg: 0, rule: 40};
      case 1: return {hg: 1, rule: 40};
      case 2: return {hg: -1, rule: 40};
      default: return {hg: resolveConflicts ? -1 : 1, rule: 40};
    }
  }
  if (s === stripPrimary(peer.gi.bitmap)) return {hg: -1, rule: 50};
  if (s === stripPrimary(peer.gi.history[0])
    && (toBig(stripPrimary(peer.gi.history[0])) + UUID_NEW_BM_OFFSET) === toBig(stripPrimary(peer.gi.bitmap))) {
    return {hg: -1, rule: 51, note: 'Lost last syncUUID packet, corrected:'};
  }
  for (const h of peer.gi.history) if (s === stripPrimary(h)) return {hg: -2, rule: 60};
  if (stripPrimary(self.gi.bitmap) === p) return {hg: 1, rule: 70};
  if (stripPrimary(self.gi.history[0]) === p
    && (toBig(stripPrimary(self.gi.history[0])) + UUID_NEW_BM_OFFSET) === toBig(stripPrimary(self.gi.bitmap))) {
    return {hg: 1, rule: 71, note: 'Last syncUUID did not get through, corrected:'};
  }
  for (const h of self.gi.history) if (stripPrimary(h) === p) return {hg: 2, rule: 80};
  if (stripPrimary(self.gi.bitmap) === stripPrimary(peer.gi.bitmap) && stripPrimary(self.gi.bitmap) !== ZERO) {
    return {hg: 100, rule: 90};
  }
  for (const a of self.gi.history) {
    for (const b of peer.gi.history) if (stripPrimary(a) === stripPrimary(b) && stripPrimary(a) !== ZERO) return {hg: -100, rule: 100};
  }
  return {hg: -1000, rule: 100};
}

// DRBD 9's names for the same outcome (uuid_compare()=<strategy> by rule=<rule>).
export function ruleName9(r: CompareResult): {strategy: string; rule: string} {
  const rule = ({10: 'just-created-both', 20: 'just-created-self', 30: 'just-created-peer', 34: 'lost-quorum',
    35: 'lost-quorum', 36: 'bitmap-self', 37: 'bitmap-peer', 40: 'crashed-primary', 50: 'bitmap-peer', 51: 'history-peer',
    60: 'history-peer', 70: 'bitmap-self', 71: 'history-self', 80: 'history-self', 90: 'bitmap-both', 100: 'history-both'} as Record<number, string>)[r.rule] ?? 'unknown';
  const strategy = r.hg === 0 ? 'no-sync'
    : r.hg === 1 ? 'source-use-bitmap' : r.hg === -1 ? 'target-use-bitmap'
      : r.hg === 2 ? 'source-set-bitmap' : r.hg === -2 ? 'target-set-bitmap'
        : r.hg === 100 ? 'split-brain-auto-recover' : r.hg === -100 ? 'split-brain-disconnect' : 'unrelated-data';
  return {strategy, rule: r.hg === -1000 ? 'history-both' : rule};
}

export interface AsbContext {
  self: Side;
  peer: Side;
  resolveConflicts: boolean;
  afterSb0: AfterSb0;
  afterSb1: AfterSb1;
  afterSb2: AfterSb2;
  // Messages the kernel logs while deciding.
  log: string[];
  // Set when call-pri-lost-after-sb wants the Primary to give up its role.
  demoteSelf?: boolean;
  // Set when the pri-lost-after-sb handler must run.
  priLostAfterSb?: boolean;
}

// drbd_asb_recover_0p: -1 = discard my data, 1 = discard the peer's, -100 = undecided.
export function asbRecover0p(c: AsbContext): number {
  const self = primaryBit(c.self.gi.bitmap);
  const peer = primaryBit(c.peer.gi.bitmap);
  const chSelf = c.self.bits;
  const chPeer = c.peer.bits;
  const tie = c.resolveConflicts ? -1 : 1;
  const policy = c.afterSb0;
  if (policy === 'disconnect') return -100;
  if (policy === 'discard-local') return -1;
  if (policy === 'discard-remote') return 1;
  const zeroChanges = (): number | undefined => {
    if (chPeer === 0 && chSelf === 0) return tie;
    if (chPeer === 0) return 1;
    if (chSelf === 0) return -1;
    return undefined;
  };
  const leastChanges = (): number => (chSelf < chPeer ? -1 : chSelf > chPeer ? 1 : tie);
  if (policy === 'discard-younger-primary' || policy === 'discard-older-primary') {
    // Bit 0 of the bitmap UUID: 1 = was already Primary at the split (older).
    const younger = policy === 'discard-younger-primary' ? -1 : 1;
    if (self === 0 && peer === 1) return younger;
    if (self === 1 && peer === 0) return -younger;
    c.log.push('Discard younger/older primary did not find a decision', 'Using discard-least-changes instead');
    return zeroChanges() ?? leastChanges();
  }
  if (policy === 'discard-zero-changes') return zeroChanges() ?? -100;
  return leastChanges();
}

// drbd_asb_recover_1p (one Primary).
export function asbRecover1p(c: AsbContext): number {
  switch (c.afterSb1) {
    case 'disconnect':
      return -100;
    case 'consensus': {
      const hg = asbRecover0p(c);
      if (hg === -1 && c.self.role === 'Secondary') return hg;
      if (hg === 1 && c.self.role === 'Primary') return hg;
      return -100;
    }
    case 'violently-as0p':
      return asbRecover0p(c);
    case 'discard-secondary':
      return c.self.role === 'Primary' ? 1 : -1;
    case 'call-pri-lost-after-sb': {
      const hg = asbRecover0p(c);
      if (hg === -1 && c.self.role === 'Primary') return giveUpPrimary(c, hg);
      return hg;
    }
  }
}

// drbd_asb_recover_2p (two Primaries).
export function asbRecover2p(c: AsbContext): number {
  switch (c.afterSb2) {
    case 'disconnect':
      return -100;
    case 'violently-as0p':
      return asbRecover0p(c);
    case 'call-pri-lost-after-sb': {
      const hg = asbRecover0p(c);
      if (hg === -1) return giveUpPrimary(c, hg);
      return hg;
    }
  }
}

// A Primary that lost the decision demotes itself; the simulator has no
// open count during the handshake, so demotion succeeds unless held open.
function giveUpPrimary(c: AsbContext, hg: number): number {
  c.demoteSelf = true;
  c.log.push('Successfully gave up primary role.');
  return hg;
}

export interface HandshakeInput {
  self: Side;
  peer: Side;
  resolveConflicts: boolean;
  afterSb0: AfterSb0;
  afterSb1: AfterSb1;
  afterSb2: AfterSb2;
  rrConflict: RrConflict;
  // The self side cannot give up Primary (device held open).
  selfHeldOpen: boolean;
  // 8.4 resolves a history-only (rule 100) split brain manually with a bitmap
  // resync and says "Sync"; 9 does a full sync and says "Full sync".
  flavor: '9' | '8.4';
}

export type HandshakeOutcome =
  | {kind: 'no-sync'}
  | {kind: 'sync'; source: boolean; full: boolean}
  | {kind: 'disconnect'; reason: 'split-brain' | 'unrelated' | 'rr-conflict' | 'inconsistent-source' | 'pri-lost'};

export interface HandshakeDecision {
  compare: CompareResult;
  // hg after disk states, split-brain policies and discard-my-data.
  hg: number;
  outcome: HandshakeOutcome;
  // Split brain was detected (abs(hg) == 100 from the UUIDs): initial-split-brain runs.
  splitBrain: boolean;
  // The split-brain handler runs (unresolved).
  splitBrainUnresolved: boolean;
  // The kernel log lines after "uuid_compare()=...", in order.
  log: string[];
  demoteSelf: boolean;
  priLostAfterSb: boolean;
  // Kernel helpers to run, in order, for this side (besides initial-split-brain/split-brain).
  helpers: string[];
}

// drbd_sync_handshake: what this side does after comparing UUIDs.
export function decideHandshake(input: HandshakeInput): HandshakeDecision {
  const compare = uuidCompare(input.self, input.peer, input.resolveConflicts);
  const log: string[] = [];
  const helpers: string[] = [];
  let hg = compare.hg;
  const mydisk = input.self.disk;
  const peerDisk = input.peer.disk;
  let demoteSelf = false;
  let priLostAfterSb = false;

  if (hg === -1000) {
    log.push('Unrelated data, aborting!');
    return {compare, hg, outcome: {kind: 'disconnect', reason: 'unrelated'}, splitBrain: false, splitBrainUnresolved: false,
      log, demoteSelf, priLostAfterSb, helpers};
  }
  if ((mydisk === 'Inconsistent' && diskRank(peerDisk) > diskRank('Inconsistent'))
    || (peerDisk === 'Inconsistent' && diskRank(mydisk) > diskRank('Inconsistent'))) {
    const f = hg === -100 || Math.abs(hg) === 2;
    hg = diskRank(mydisk) > diskRank('Inconsistent') ? 1 : -1;
    if (f) hg *= 2;
    log.push(`Becoming sync ${hg > 0 ? 'source' : 'target'} due to disk states.`);
  }
  const splitBrain = Math.abs(hg) === 100;
  if (hg === 100) {
    const pcount = (input.self.role === 'Primary' ? 1 : 0) + (input.peer.role === 'Primary' ? 1 : 0);
    const ctx: AsbContext = {self: input.self, peer: input.peer, resolveConflicts: input.resolveConflicts,
      afterSb0: input.afterSb0, afterSb1: input.afterSb1, afterSb2: input.afterSb2, log: []};
    hg = pcount === 0 ? asbRecover0p(ctx) : pcount === 1 ? asbRecover1p(ctx) : asbRecover2p(ctx);
    if (ctx.demoteSelf) {
      if (input.selfHeldOpen) {
        priLostAfterSb = true;
        hg = -100;
        ctx.log.pop();
      } else {
        demoteSelf = true;
      }
    }
    log.push(...ctx.log);
    if (Math.abs(hg) < 100) {
      log.push(`Split-Brain detected, ${pcount} primaries, automatically solved. Sync from ${hg < 0 ? 'peer' : 'this'} node`);
    }
  }
  if (hg === -100) {
    if (input.self.discardMyData && !input.peer.discardMyData) hg = -1;
    if (!input.self.discardMyData && input.peer.discardMyData) hg = 1;
    if (Math.abs(hg) < 100) {
      const full = input.flavor === '9' && compare.hg === -100;
      log.push(`Split-Brain detected, manually solved. ${full ? 'Full sync' : 'Sync'} from ${hg < 0 ? 'peer' : 'this'} node`);
      if (full) hg *= 2;
    }
  }
  if (hg === -100) {
    log.push('Split-Brain detected but unresolved, dropping connection!');
    return {compare, hg, outcome: {kind: 'disconnect', reason: priLostAfterSb ? 'pri-lost' : 'split-brain'}, splitBrain,
      splitBrainUnresolved: true, log, demoteSelf, priLostAfterSb, helpers};
  }
  if (hg > 0 && diskRank(mydisk) <= diskRank('Inconsistent')) {
    log.push('I shall become SyncSource, but I am inconsistent!');
    return {compare, hg, outcome: {kind: 'disconnect', reason: 'inconsistent-source'}, splitBrain, splitBrainUnresolved: false,
      log, demoteSelf, priLostAfterSb, helpers};
  }
  const selfRole = demoteSelf ? 'Secondary' : input.self.role;
  if (hg < 0 && selfRole === 'Primary' && diskRank(mydisk) >= diskRank('Consistent')) {
    if (input.rrConflict === 'call-pri-lost') helpers.push('pri-lost');
    if (input.rrConflict !== 'violently') {
      log.push('I shall become SyncTarget, but I am primary!');
      return {compare, hg, outcome: {kind: 'disconnect', reason: 'rr-conflict'}, splitBrain, splitBrainUnresolved: false,
        log, demoteSelf, priLostAfterSb, helpers};
    }
    log.push('Becoming SyncTarget, violating the stable-data assumption');
  }
  const full = Math.abs(hg) >= 2;
  if (full) log.push('Writing the whole bitmap, full sync required after drbd_sync_handshake.');
  const outcome: HandshakeOutcome = hg === 0 ? {kind: 'no-sync'} : {kind: 'sync', source: hg > 0, full};
  return {compare, hg, outcome, splitBrain, splitBrainUnresolved: false, log, demoteSelf, priLostAfterSb, helpers};
}
