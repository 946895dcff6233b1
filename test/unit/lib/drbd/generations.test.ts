import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {compareGenerations, mirrorRelation} from '../../../../lib/drbd/generations';
import {parseGi, type GenerationIds} from '../../../../lib/drbd/gi';

// The observed 8.4.11 GI pairs, keyed "<scenario> <node>".
const observed = new Map(
  readFileSync(join(__dirname, '../../../fixtures/drbd/gi-84-observed.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => {
      const [scenario, node, gi] = line.trim().split(/\s+/);
      return [`${scenario} ${node}`, parseGi(gi as string) as GenerationIds];
    }),
);
const gi = (key: string) => observed.get(key) as GenerationIds;
const tuple = (text: string, flags: Record<string, boolean> = {}): GenerationIds => ({...(parseGi(text) as GenerationIds), flags});

describe('compareGenerations on the observed 8.4.11 sequences (reference/drbd.md §3.5)', () => {
  test('healthy pair: equal (rule 40), bit 0 ignored', () => {
    expect(compareGenerations(gi('sb-healthy ctl1'), gi('sb-healthy ctl2'))).toEqual({relation: 'equal', rule: 40});
  });

  test('split pair: split brain from a common bitmap, rule 90, from both sides (kernel: uuid_compare()=100 by rule 90)', () => {
    expect(compareGenerations(gi('sb-split ctl1'), gi('sb-split ctl2'))).toEqual({relation: 'split-brain-bitmap', rule: 90});
    expect(compareGenerations(gi('sb-split ctl2'), gi('sb-split ctl1'))).toEqual({relation: 'split-brain-bitmap', rule: 90});
    expect(compareGenerations(gi('s2-split ctl1'), gi('s2-split ctl2'))).toEqual({relation: 'split-brain-bitmap', rule: 90});
  });

  test('after recovery: equal, no sync', () => {
    expect(compareGenerations(gi('sb-recovered ctl1'), gi('sb-recovered ctl2'))).toEqual({relation: 'equal', rule: 40});
    expect(compareGenerations(gi('s2-recovered ctl2'), gi('s2-recovered ctl1'))).toEqual({relation: 'equal', rule: 40});
  });

  test('the old Primary after the split against the healthy peer: ahead by its bitmap (rule 70 / 50)', () => {
    expect(compareGenerations(gi('sb-split ctl1'), gi('sb-healthy ctl2'))).toEqual({relation: 'local-ahead', rule: 70});
    expect(compareGenerations(gi('sb-healthy ctl2'), gi('sb-split ctl1'))).toEqual({relation: 'peer-ahead', rule: 50});
  });

  test('the forced Primary against the recovered peer: a common history only (rule 100)', () => {
    expect(compareGenerations(gi('s2-forced ctl2'), gi('s2-recovered ctl1'))).toEqual({relation: 'split-brain-history', rule: 100});
  });
});

describe('compareGenerations rule table (drbd-8.4 drbd_uuid_compare)', () => {
  const Z = '0000000000000000';
  const A = 'AAAAAAAAAAAAAAA0';
  const B = 'BBBBBBBBBBBBBBB0';
  const C = 'CCCCCCCCCCCCCCC0';
  const D = 'DDDDDDDDDDDDDDD0';
  const bump = (u: string) => (BigInt(`0x${u}`) + 0x0001000000000000n).toString(16).toUpperCase().padStart(16, '0');

  test.each([
    ['both just created', `0000000000000004:${Z}:${Z}:${Z}`, `0000000000000004:${Z}:${Z}:${Z}`, 'just-created', 10],
    ['local just created', `0000000000000004:${Z}:${Z}:${Z}`, `${A}:${Z}:${Z}:${Z}`, 'peer-ahead', 20],
    ['local without meta data (0)', `${Z}:${Z}:${Z}:${Z}`, `${A}:${Z}:${Z}:${Z}`, 'peer-ahead', 20],
    ['peer just created', `${A}:${Z}:${Z}:${Z}`, `0000000000000004:${Z}:${Z}:${Z}`, 'local-ahead', 30],
    ['SyncSource missed the resync end, corrected', `${A}:${B}:${C}:${Z}`, `${A}:${Z}:${B}:${C}`, 'local-ahead', 34],
    ['SyncSource, peer failed to write sync uuid', `${A}:${B}:${C}:${Z}`, `${A}:${Z}:${D}:${Z}`, 'local-ahead', 36],
    ['SyncTarget, peer missed the resync end', `${A}:${Z}:${B}:${C}`, `${A}:${B}:${C}:${Z}`, 'peer-ahead', 35],
    ['SyncTarget failed to write sync uuid', `${A}:${Z}:${D}:${Z}`, `${A}:${B}:${C}:${Z}`, 'peer-ahead', 37],
    ['equal', `${A}:${Z}:${B}:${Z}`, `AAAAAAAAAAAAAAA1:${Z}:${B}:${Z}`, 'equal', 40],
    ['my current is the peer bitmap: sync target', `${A}:${Z}:${Z}:${Z}`, `${B}:${A}:${Z}:${Z}`, 'peer-ahead', 50],
    ['lost last syncUUID packet', `${A}:${Z}:${Z}:${Z}`, `${B}:${bump(A)}:${A}:${Z}`, 'peer-ahead', 51],
    ['my current in the peer history: full sync target', `${A}:${Z}:${Z}:${Z}`, `${B}:${C}:${D}:${A}`, 'peer-ahead', 60],
    ['my bitmap is the peer current: sync source', `${B}:${A}:${Z}:${Z}`, `${A}:${Z}:${Z}:${Z}`, 'local-ahead', 70],
    ['last syncUUID did not get through', `${B}:${bump(A)}:${A}:${Z}`, `${A}:${Z}:${Z}:${Z}`, 'local-ahead', 71],
    ['peer current in my history: full sync source', `${B}:${C}:${D}:${A}`, `${A}:${Z}:${Z}:${Z}`, 'local-ahead', 80],
    ['equal bitmaps: split brain', `${A}:${C}:${Z}:${Z}`, `${B}:CCCCCCCCCCCCCCC1:${Z}:${Z}`, 'split-brain-bitmap', 90],
    ['common history: split brain', `${A}:${Z}:${C}:${Z}`, `${B}:${Z}:${D}:CCCCCCCCCCCCCCC1`, 'split-brain-history', 100],
    ['nothing in common', `${A}:${C}:${Z}:${Z}`, `${B}:${D}:${Z}:${Z}`, 'unrelated', 100],
    ['equal zero bitmaps are no ancestor', `${A}:${Z}:${Z}:${Z}`, `${B}:${Z}:${Z}:${Z}`, 'unrelated', 100],
  ])('%s', (_name, local, peer, relation, rule) => {
    expect(compareGenerations(tuple(local), tuple(peer))).toEqual({relation, rule});
  });

  test('rule 40 crashed-primary arbitration: the crashed Primary has the newer data', () => {
    const same = `AAAAAAAAAAAAAAA1:0000000000000000:BBBBBBBBBBBBBBB0:0000000000000000`;
    expect(compareGenerations(tuple(same, {crashedPrimary: true}), tuple(same))).toEqual({relation: 'local-ahead', rule: 40});
    expect(compareGenerations(tuple(same), tuple(same, {crashedPrimary: true}))).toEqual({relation: 'peer-ahead', rule: 40});
    expect(compareGenerations(tuple(same, {crashedPrimary: true}), tuple(same, {crashedPrimary: true}))).toEqual({relation: 'equal', rule: 40});
  });

  test('seen from the other node, the relation mirrors (observed and table pairs)', () => {
    const pairs: Array<[GenerationIds, GenerationIds]> = [
      [gi('sb-split ctl1'), gi('sb-healthy ctl2')],
      [gi('s2-forced ctl2'), gi('s2-recovered ctl1')],
      [gi('sb-split ctl1'), gi('sb-split ctl2')],
      [tuple('BBBBBBBBBBBBBBB0:CCCCCCCCCCCCCCC0:DDDDDDDDDDDDDDD0:AAAAAAAAAAAAAAA0'), tuple('AAAAAAAAAAAAAAA0:0000000000000000:0000000000000000:0000000000000000')],
    ];
    for (const [x, y] of pairs) expect(compareGenerations(y, x).relation).toBe(mirrorRelation(compareGenerations(x, y).relation));
  });
});
