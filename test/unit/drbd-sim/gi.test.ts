import {formatGiV08, formatGiV09, giUuids, justCreatedGi, uuidClearBitmap, uuidNewCurrent, uuidOnDemote, uuidOnPromote,
  uuidSetBitmap, uuidSyncSourceFinish, uuidSyncSourceStart, uuidSyncTargetFinish, uuidSyncTargetStart, ZERO} from '../../drbd-sim/gi';
import {decideHandshake, type Side} from '../../drbd-sim/handshake';
import type {Gi, MdFlags} from '../../drbd-sim/types';

// The random source returns the UUIDs the real runs drew, in order.
const draws = (...uuids: string[]) => (): string => {
  const next = uuids.shift();
  if (!next) throw new Error('no more UUIDs');
  return next;
};
const line = (g: Gi): string => giUuids(g);
const side = (gi: Gi, over: Partial<Side> = {}): Side =>
  ({gi, bits: 0, crashedPrimary: false, discardMyData: false, role: 'Secondary', disk: 'UpToDate', ...over});

// drbd.md §3.5 and sb_clean.txt: ctl1 the old Primary, ctl2 promoted during the split.
describe('the observed 8.4 GI sequence (split brain, manual recovery)', () => {
  // create-md on both, up, new-current-uuid --clear-bitmap on ctl1 ("skip initial sync").
  let ctl1 = uuidNewCurrent(uuidSetBitmap(justCreatedGi(), ZERO), 'Secondary', draws('7EB48A41FDFD74E6')).gi;
  test('skip initial sync: new current with the just-created UUID as bitmap, then cleared', () => {
    expect(line(ctl1)).toBe('7EB48A41FDFD74E6:0000000000000004:0000000000000000:0000000000000000');
    ctl1 = {...ctl1, bitmap: ZERO};
    expect(line(ctl1)).toBe('7EB48A41FDFD74E6:0000000000000000:0000000000000000:0000000000000000');
  });

  let ctl2: Gi = {current: '7EB48A41FDFD74E6', bitmap: ZERO, history: [ZERO, ZERO]};
  test('healthy: promoting the connected ctl1 only sets bit 0', () => {
    const promoted = uuidOnPromote(ctl1, {connected: true, forced: false});
    ctl1 = promoted.gi;
    expect(line(ctl1)).toBe('7EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000');
    expect(line(ctl2)).toBe('7EB48A41FDFD74E6:0000000000000000:0000000000000000:0000000000000000');
  });

  test('split: the Primary losing its peer and the newly promoted ctl2 start new generations', () => {
    ctl1 = uuidNewCurrent(ctl1, 'Primary', draws('63A8729EBE259998')).gi;
    expect(line(ctl1)).toBe('63A8729EBE259999:7EB48A41FDFD74E7:0000000000000000:0000000000000000');
    ctl2 = uuidOnPromote(ctl2, {connected: false, forced: false}, draws('013B618ECD08D7D0')).gi;
    expect(line(ctl2)).toBe('013B618ECD08D7D1:7EB48A41FDFD74E6:0000000000000000:0000000000000000');
    ctl2 = uuidOnDemote(ctl2);
    expect(line(ctl2)).toBe('013B618ECD08D7D0:7EB48A41FDFD74E6:0000000000000000:0000000000000000');
  });

  test('handshake: rule 90 on both sides, unresolved with after-sb-0pri disconnect', () => {
    const common = {afterSb0: 'disconnect', afterSb1: 'disconnect', afterSb2: 'disconnect', rrConflict: 'disconnect',
      selfHeldOpen: false, flavor: '8.4'} as const;
    const a = decideHandshake({self: side(ctl1, {bits: 300, role: 'Primary'}), peer: side(ctl2, {bits: 40}), resolveConflicts: true, ...common});
    const b = decideHandshake({self: side(ctl2, {bits: 40}), peer: side(ctl1, {bits: 300, role: 'Primary'}), resolveConflicts: false, ...common});
    for (const d of [a, b]) {
      expect(d.compare).toEqual({hg: 100, rule: 90});
      expect(d.splitBrainUnresolved).toBe(true);
      expect(d.log).toEqual(['Split-Brain detected but unresolved, dropping connection!']);
    }
  });

  test('recovery: ctl2 connects with --discard-my-data, ctl1 becomes sync source', () => {
    const common = {afterSb0: 'disconnect', afterSb1: 'disconnect', afterSb2: 'disconnect', rrConflict: 'disconnect',
      selfHeldOpen: false, flavor: '8.4'} as const;
    const a = decideHandshake({self: side(ctl1, {bits: 300, role: 'Primary'}), peer: side(ctl2, {bits: 40, discardMyData: true}), resolveConflicts: true, ...common});
    const b = decideHandshake({self: side(ctl2, {bits: 40, discardMyData: true}), peer: side(ctl1, {bits: 300, role: 'Primary'}), resolveConflicts: false, ...common});
    expect(a.outcome).toEqual({kind: 'sync', source: true, full: false});
    expect(b.outcome).toEqual({kind: 'sync', source: false, full: false});
    expect(a.log).toEqual(['Split-Brain detected, manually solved. Sync from this node']);
    expect(b.log).toEqual(['Split-Brain detected, manually solved. Sync from peer node']);
    const atHandshake = ctl1;
    const started = uuidSyncSourceStart(ctl1);
    expect(line(started.gi)).toBe('63A8729EBE259999:7EB58A41FDFD74E7:7EB48A41FDFD74E7:0000000000000000');
    ctl2 = uuidSyncTargetStart(ctl2, started.syncUuid, 'Secondary');
    expect(line(ctl2)).toBe('7EB58A41FDFD74E6:0000000000000000:0000000000000000:0000000000000000');
    ctl1 = uuidSyncSourceFinish(started.gi);
    ctl2 = uuidSyncTargetFinish(ctl2, atHandshake, 'Secondary');
    expect(line(ctl1)).toBe('63A8729EBE259999:0000000000000000:7EB58A41FDFD74E7:7EB48A41FDFD74E7');
    expect(line(ctl2)).toBe('63A8729EBE259998:0000000000000000:7EB58A41FDFD74E6:7EB48A41FDFD74E7');
  });
});

// s2_clean.txt: after-sb-0pri discard-least-changes (ctl1 300 bits, ctl2 40), then fencing runs.
describe('the observed 8.4 auto-recovery and forced promotion', () => {
  const ctl1: Gi = {current: 'FCE48705B107781C', bitmap: '3FC2B46E8A099A51', history: [ZERO, ZERO]};
  let ctl2: Gi = {current: 'D3152AEA90FAD456', bitmap: '3FC2B46E8A099A50', history: [ZERO, ZERO]};

  test('discard-least-changes: split brain with 0 primaries automatically solved, ctl1 (more changes) is source', () => {
    const common = {afterSb0: 'discard-least-changes', afterSb1: 'discard-secondary', afterSb2: 'disconnect', rrConflict: 'disconnect',
      selfHeldOpen: false, flavor: '8.4'} as const;
    const a = decideHandshake({self: side(ctl1, {bits: 300}), peer: side(ctl2, {bits: 40}), resolveConflicts: true, ...common});
    expect(a.compare).toEqual({hg: 100, rule: 90});
    expect(a.log).toEqual(['Split-Brain detected, 0 primaries, automatically solved. Sync from this node']);
    expect(a.outcome).toEqual({kind: 'sync', source: true, full: false});
    expect(a.splitBrain).toBe(true);
    const started = uuidSyncSourceStart(ctl1);
    const target = uuidSyncTargetFinish(uuidSyncTargetStart(ctl2, started.syncUuid, 'Secondary'), ctl1, 'Secondary');
    expect(line(uuidSyncSourceFinish(started.gi))).toBe('FCE48705B107781C:0000000000000000:3FC3B46E8A099A51:3FC2B46E8A099A51');
    expect(line(target)).toBe('FCE48705B107781C:0000000000000000:3FC3B46E8A099A50:3FC2B46E8A099A51');
    ctl2 = target;
  });

  test('promotion while disconnected, then --force from Outdated: "bm UUID was already set"', () => {
    let g = uuidOnPromote(ctl2, {connected: false, forced: false}, draws('CC03AA7840AA098C')).gi;
    expect(line(g)).toBe('CC03AA7840AA098D:FCE48705B107781C:3FC3B46E8A099A50:3FC2B46E8A099A51');
    g = uuidOnDemote(g);
    // A second promotion with a bitmap UUID set keeps the generation.
    expect(line(uuidOnPromote(g, {connected: false, forced: false}).gi)).toBe('CC03AA7840AA098D:FCE48705B107781C:3FC3B46E8A099A50:3FC2B46E8A099A51');
    const forced = uuidOnPromote(g, {connected: false, forced: true}, draws('38CA1173E72161B0'));
    expect(forced.bitmapWasSet).toBe('FCE48705B107781C');
    expect(line(forced.gi)).toBe('38CA1173E72161B1:CC03AA7840AA098C:3FC3B46E8A099A50:3FC2B46E8A099A51');
  });
});

describe('get-gi formats', () => {
  const flags: MdFlags = {consistent: true, wasUpToDate: true, primary: false, connected: false, fullSync: false, peerOutdated: true,
    crashedPrimary: false, alClean: true, peerDeviceSeen: true};
  const g: Gi = {current: '38CA1173E72161B1', bitmap: 'CC03AA7840AA098C', history: ['3FC3B46E8A099A50', '3FC2B46E8A099A51']};

  test('v08 (observed after down)', () => {
    expect(formatGiV08(g, flags)).toBe('38CA1173E72161B1:CC03AA7840AA098C:3FC3B46E8A099A50:3FC2B46E8A099A51:1:1:0:0:0:1:0');
  });

  test('v09 field order', () => {
    expect(formatGiV09(justCreatedGi(), {...flags, consistent: false, wasUpToDate: false, peerOutdated: false, peerDeviceSeen: false}, false))
      .toBe('0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:1:0:0:0:0:0:0:0');
    expect(formatGiV09(g, flags, true)).toBe('38CA1173E72161B1:CC03AA7840AA098C:3FC3B46E8A099A50:3FC2B46E8A099A51:1:1:0:0:1:0:0:0:1:1:0:1');
  });

  test('clearing the bitmap UUID rotates it into history', () => {
    expect(line(uuidClearBitmap(g))).toBe('38CA1173E72161B1:0000000000000000:CC03AA7840AA098C:3FC3B46E8A099A50');
    expect(line(uuidClearBitmap({...g, bitmap: ZERO}))).toBe('38CA1173E72161B1:0000000000000000:3FC3B46E8A099A50:3FC2B46E8A099A51');
  });
});
