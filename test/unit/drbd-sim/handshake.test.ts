import {asbRecover0p, asbRecover1p, asbRecover2p, decideHandshake, ruleName9, uuidCompare, type AsbContext,
  type HandshakeInput, type Side} from '../../drbd-sim/handshake';
import type {Gi} from '../../drbd-sim/types';

const Z = '0000000000000000';
const gi = (current: string, bitmap = Z, h1 = Z, h2 = Z): Gi => ({current, bitmap, history: [h1, h2]});
const side = (g: Gi, over: Partial<Side> = {}): Side =>
  ({gi: g, bits: 0, crashedPrimary: false, discardMyData: false, role: 'Secondary', disk: 'UpToDate', ...over});

// drbd_uuid_compare's rule table (8.4 numbers), from the first side's point of view.
describe('uuid_compare rules', () => {
  test.each([
    ['10: both just created', gi('0000000000000004'), gi('0000000000000004'), 0, 10],
    ['20: self just created', gi('0000000000000004'), gi('AAAAAAAAAAAAAAA0'), -2, 20],
    ['30: peer just created', gi('AAAAAAAAAAAAAAA0'), gi('0000000000000004'), 2, 30],
    ['40: equal currents, no crash', gi('AAAAAAAAAAAAAAA1'), gi('AAAAAAAAAAAAAAA0'), 0, 40],
    ['36: equal, self has a bitmap UUID', gi('AAAAAAAAAAAAAAA0', 'BBBBBBBBBBBBBBB0'), gi('AAAAAAAAAAAAAAA0'), 1, 36],
    ['37: equal, peer has a bitmap UUID', gi('AAAAAAAAAAAAAAA0'), gi('AAAAAAAAAAAAAAA0', 'BBBBBBBBBBBBBBB0'), -1, 37],
    ['50: my current is the peer\'s bitmap UUID', gi('AAAAAAAAAAAAAAA0'), gi('CCCCCCCCCCCCCCC1', 'AAAAAAAAAAAAAAA1'), -1, 50],
    ['60: my current in the peer\'s history', gi('AAAAAAAAAAAAAAA0'), gi('CCCCCCCCCCCCCCC0', Z, 'AAAAAAAAAAAAAAA0'), -2, 60],
    ['70: my bitmap UUID is the peer\'s current', gi('CCCCCCCCCCCCCCC1', 'AAAAAAAAAAAAAAA1'), gi('AAAAAAAAAAAAAAA0'), 1, 70],
    ['80: the peer\'s current in my history', gi('CCCCCCCCCCCCCCC0', Z, Z, 'AAAAAAAAAAAAAAA0'), gi('AAAAAAAAAAAAAAA0'), 2, 80],
    ['90: equal bitmap UUIDs (split brain, auto-recoverable)', gi('CCCCCCCCCCCCCCC1', 'AAAAAAAAAAAAAAA1'), gi('DDDDDDDDDDDDDDD0', 'AAAAAAAAAAAAAAA0'), 100, 90],
    ['100: common history only (split brain, disconnect)', gi('CCCCCCCCCCCCCCC0', 'EEEEEEEEEEEEEEE0', 'AAAAAAAAAAAAAAA0'), gi('DDDDDDDDDDDDDDD0', 'FFFFFFFFFFFFFFF0', Z, 'AAAAAAAAAAAAAAA0'), -100, 100],
    ['unrelated data', gi('CCCCCCCCCCCCCCC0'), gi('DDDDDDDDDDDDDDD0'), -1000, 100],
  ])('rule %s', (_name, self, peer, hg, rule) => {
    expect(uuidCompare(side(self), side(peer), true)).toMatchObject({hg, rule});
  });

  test('40: crashed primaries (rct), the tie broken by RESOLVE_CONFLICTS', () => {
    const g = gi('AAAAAAAAAAAAAAA0');
    expect(uuidCompare(side(g, {crashedPrimary: true}), side(g), true).hg).toBe(1);
    expect(uuidCompare(side(g), side(g, {crashedPrimary: true}), true).hg).toBe(-1);
    expect(uuidCompare(side(g, {crashedPrimary: true}), side(g, {crashedPrimary: true}), true).hg).toBe(-1);
    expect(uuidCompare(side(g, {crashedPrimary: true}), side(g, {crashedPrimary: true}), false).hg).toBe(1);
  });

  test('DRBD 9 names', () => {
    expect(ruleName9({hg: 100, rule: 90})).toEqual({strategy: 'split-brain-auto-recover', rule: 'bitmap-both'});
    expect(ruleName9({hg: -100, rule: 100})).toEqual({strategy: 'split-brain-disconnect', rule: 'history-both'});
    expect(ruleName9({hg: -1000, rule: 100})).toEqual({strategy: 'unrelated-data', rule: 'history-both'});
    expect(ruleName9({hg: -1, rule: 50})).toEqual({strategy: 'target-use-bitmap', rule: 'bitmap-peer'});
  });
});

// Split-brain policies: -1 discard my data, 1 discard the peer's, -100 undecided.
describe('after-sb policies', () => {
  // ctl1 was Primary at the split (bitmap bit 0 set: older), ctl2 became Primary later (younger).
  const older = gi('CCCCCCCCCCCCCCC0', 'AAAAAAAAAAAAAAA1');
  const younger = gi('DDDDDDDDDDDDDDD0', 'AAAAAAAAAAAAAAA0');
  const ctx = (over: Partial<AsbContext>): AsbContext => ({self: side(older, {bits: 300}), peer: side(younger, {bits: 40}),
    resolveConflicts: true, afterSb0: 'disconnect', afterSb1: 'disconnect', afterSb2: 'disconnect', log: [], ...over});

  test.each([
    ['disconnect', -100],
    ['discard-younger-primary', 1],
    ['discard-older-primary', -1],
    ['discard-zero-changes', -100],
    ['discard-least-changes', 1],
    ['discard-local', -1],
    ['discard-remote', 1],
  ] as const)('0pri %s from the older, more-changed side', (policy, hg) => {
    expect(asbRecover0p(ctx({afterSb0: policy}))).toBe(hg);
  });

  test('discard-zero-changes: the side without changes loses; both without: the tie-breaker', () => {
    expect(asbRecover0p(ctx({afterSb0: 'discard-zero-changes', peer: side(younger, {bits: 0})}))).toBe(1);
    expect(asbRecover0p(ctx({afterSb0: 'discard-zero-changes', self: side(older, {bits: 0})}))).toBe(-1);
    expect(asbRecover0p(ctx({afterSb0: 'discard-zero-changes', self: side(older, {bits: 0}), peer: side(younger, {bits: 0})}))).toBe(-1);
    expect(asbRecover0p(ctx({afterSb0: 'discard-zero-changes', resolveConflicts: false, self: side(older, {bits: 0}), peer: side(younger, {bits: 0})}))).toBe(1);
  });

  test('discard-younger-primary without a decision falls back to least changes and says so', () => {
    const c = ctx({afterSb0: 'discard-younger-primary', self: side(younger, {bits: 5}), peer: side(younger, {bits: 40})});
    expect(asbRecover0p(c)).toBe(-1);
    expect(c.log).toEqual(['Discard younger/older primary did not find a decision', 'Using discard-least-changes instead']);
  });

  test('1pri policies', () => {
    const primary = side(older, {bits: 300, role: 'Primary'});
    expect(asbRecover1p(ctx({afterSb1: 'discard-secondary', self: primary}))).toBe(1);
    expect(asbRecover1p(ctx({afterSb1: 'discard-secondary', self: side(younger, {bits: 40}), peer: primary}))).toBe(-1);
    expect(asbRecover1p(ctx({afterSb1: 'consensus', afterSb0: 'discard-least-changes', self: primary}))).toBe(1);
    expect(asbRecover1p(ctx({afterSb1: 'consensus', afterSb0: 'discard-older-primary', self: primary}))).toBe(-100);
    expect(asbRecover1p(ctx({afterSb1: 'violently-as0p', afterSb0: 'discard-older-primary', self: primary}))).toBe(-1);
    const c = ctx({afterSb1: 'call-pri-lost-after-sb', afterSb0: 'discard-older-primary', self: primary});
    expect(asbRecover1p(c)).toBe(-1);
    expect(c.demoteSelf).toBe(true);
  });

  test('2pri policies', () => {
    const both = {self: side(older, {bits: 300, role: 'Primary'}), peer: side(younger, {bits: 40, role: 'Primary'})};
    expect(asbRecover2p(ctx({...both, afterSb2: 'disconnect'}))).toBe(-100);
    expect(asbRecover2p(ctx({...both, afterSb2: 'violently-as0p', afterSb0: 'discard-least-changes'}))).toBe(1);
  });
});

describe('drbd_sync_handshake decisions', () => {
  const base = (over: Partial<HandshakeInput>): HandshakeInput => ({
    self: side(gi('AAAAAAAAAAAAAAA0')), peer: side(gi('AAAAAAAAAAAAAAA0')), resolveConflicts: true, afterSb0: 'disconnect',
    afterSb1: 'disconnect', afterSb2: 'disconnect', rrConflict: 'disconnect', selfHeldOpen: false, flavor: '8.4', ...over});

  test('equal data: no sync', () => {
    expect(decideHandshake(base({})).outcome).toEqual({kind: 'no-sync'});
  });

  test('an Inconsistent disk facing good data becomes target, full when the UUIDs say so', () => {
    const d = decideHandshake(base({self: side(gi('0000000000000004'), {disk: 'Inconsistent'}), peer: side(gi('AAAAAAAAAAAAAAA1'), {role: 'Primary'})}));
    expect(d.outcome).toEqual({kind: 'sync', source: false, full: true});
    expect(d.log).toEqual(['Becoming sync target due to disk states.', 'Writing the whole bitmap, full sync required after drbd_sync_handshake.']);
  });

  test('a Primary that would become sync target disconnects (rr-conflict)', () => {
    const d = decideHandshake(base({self: side(gi('AAAAAAAAAAAAAAA1'), {role: 'Primary'}), peer: side(gi('CCCCCCCCCCCCCCC0', 'AAAAAAAAAAAAAAA0'))}));
    expect(d.outcome).toEqual({kind: 'disconnect', reason: 'rr-conflict'});
    expect(d.log).toEqual(['I shall become SyncTarget, but I am primary!']);
  });

  test('unrelated data', () => {
    const d = decideHandshake(base({peer: side(gi('CCCCCCCCCCCCCCC0'))}));
    expect(d.outcome).toEqual({kind: 'disconnect', reason: 'unrelated'});
    expect(d.log).toEqual(['Unrelated data, aborting!']);
  });

  test('rule 100 resolved by hand: 8.4 syncs by bitmap, 9 does a full sync', () => {
    const self = side(gi('CCCCCCCCCCCCCCC0', 'EEEEEEEEEEEEEEE0', 'AAAAAAAAAAAAAAA0'), {discardMyData: true});
    const peer = side(gi('DDDDDDDDDDDDDDD0', 'FFFFFFFFFFFFFFF0', 'AAAAAAAAAAAAAAA0'));
    expect(decideHandshake(base({self, peer})).log).toEqual(['Split-Brain detected, manually solved. Sync from peer node']);
    const d9 = decideHandshake(base({self, peer, flavor: '9'}));
    expect(d9.log).toEqual(['Split-Brain detected, manually solved. Full sync from peer node',
      'Writing the whole bitmap, full sync required after drbd_sync_handshake.']);
    expect(d9.outcome).toEqual({kind: 'sync', source: false, full: true});
  });

  test('discard-my-data on both sides stays unresolved here (the connection refuses earlier)', () => {
    const self = side(gi('CCCCCCCCCCCCCCC0', 'AAAAAAAAAAAAAAA0'), {discardMyData: true});
    const peer = side(gi('DDDDDDDDDDDDDDD0', 'AAAAAAAAAAAAAAA0'), {discardMyData: true});
    expect(decideHandshake(base({self, peer})).splitBrainUnresolved).toBe(true);
  });
});
