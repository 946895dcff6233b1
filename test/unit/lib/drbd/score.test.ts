import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {deriveStatus, type DerivedStatus} from '../../../../lib/drbd/derive';
import {parseEvents2} from '../../../../lib/drbd/events2';
import {DEFAULT_SCORE_TABLE, parseScoreTable, promotionScore, type ScoreAction} from '../../../../lib/drbd/score';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/drbd', name), 'utf8');

const BASE: DerivedStatus = {
  configured: true,
  primary: false,
  somePeerPrimary: false,
  diskAllUpToDate: false,
  diskAllConsistent: false,
  diskTransitional: false,
  diskFailed: false,
  diskless: false,
  disklessClient: false,
  pdskAllUpToDate: false,
  somePeerAllUpToDate: false,
  pdskAnyUnknown: false,
  quorate: true,
  standAlone: false,
  connected: true,
  outOfSyncKiB: 0,
};
const status = (overrides: Partial<DerivedStatus>): DerivedStatus => ({...BASE, ...overrides});
const set = (score: number): ScoreAction => ({kind: 'set', score});
const del: ScoreAction = {kind: 'delete'};

describe('promotionScore: LINBIT adjust_master_score table, first match wins (reference/drbd.md §1.4)', () => {
  test.each<[string, Partial<DerivedStatus>, ScoreAction]>([
    ['not configured', {configured: false, diskAllUpToDate: true}, del],
    ['1. not quorate', {quorate: false, diskAllUpToDate: true, primary: true}, del],
    ['3. diskless client, Primary, some peer all UpToDate', {disklessClient: true, primary: true, somePeerAllUpToDate: true}, set(9999)],
    ['3. diskless client, all peer disks UpToDate', {disklessClient: true, pdskAllUpToDate: true, somePeerAllUpToDate: true}, set(9999)],
    ['3. diskless client, some peer all UpToDate', {disklessClient: true, somePeerAllUpToDate: true}, set(999)],
    ['3. diskless client without good data', {disklessClient: true}, del],
    ['4. UpToDate Primary', {diskAllUpToDate: true, primary: true, pdskAnyUnknown: true}, set(10000)],
    ['4. UpToDate Secondary, peer disk unknown', {diskAllUpToDate: true, pdskAnyUnknown: true}, set(1000)],
    ['4. UpToDate Secondary, peer disks known', {diskAllUpToDate: true, pdskAllUpToDate: true}, set(10000)],
    ['4. UpToDate Secondary, peer known but Inconsistent (we are SyncSource)', {diskAllUpToDate: true}, set(10000)],
    ['5. local not UpToDate, a peer all UpToDate', {diskAllConsistent: true, somePeerAllUpToDate: true}, set(10)],
    ['6. transitional', {diskTransitional: true}, {kind: 'unchanged'}],
    ['6. transitional beats consistent', {diskTransitional: true, diskAllConsistent: true}, {kind: 'unchanged'}],
    ['7. only Consistent: 0, i.e. deleted', {diskAllConsistent: true, pdskAnyUnknown: true}, del],
    ['8. nothing usable', {diskFailed: true}, del],
  ])('%s', (_name, overrides, expected) => {
    expect(promotionScore(status(overrides), DEFAULT_SCORE_TABLE)).toEqual(expected);
  });

  test('a custom table lets a Consistent node be promoted ("at least allow someone")', () => {
    const table = parseScoreTable('5 10 1000 10000')!;
    expect(promotionScore(status({diskAllConsistent: true}), table)).toEqual(set(5));
  });

  test('remove_master_score_if_peer_primary: a Secondary connected to a healthy Primary gets none', () => {
    const s = status({diskAllUpToDate: true, pdskAllUpToDate: true, somePeerPrimary: true, somePeerAllUpToDate: true});
    expect(promotionScore(s, DEFAULT_SCORE_TABLE)).toEqual(set(10000));
    expect(promotionScore(s, DEFAULT_SCORE_TABLE, {removeIfPeerPrimary: true})).toEqual(del);
    expect(promotionScore({...s, primary: true}, DEFAULT_SCORE_TABLE, {removeIfPeerPrimary: true})).toEqual(set(10000));
  });

  test('observed split brain: the StandAlone Primary keeps 10000, the StandAlone Secondary 1000', () => {
    const primary = deriveStatus(parseEvents2(fixture('events2-84-primary-standalone.txt'), 'r0'));
    const secondary = deriveStatus(parseEvents2(fixture('events2-84-secondary-standalone.txt'), 'r0'));
    expect(promotionScore(primary, DEFAULT_SCORE_TABLE)).toEqual(set(10000));
    expect(promotionScore(secondary, DEFAULT_SCORE_TABLE)).toEqual(set(1000));
  });

  test('observed healthy pair: both 10000', () => {
    for (const name of ['events2-84-primary-connected.txt', 'events2-84-secondary-connected.txt']) {
      expect(promotionScore(deriveStatus(parseEvents2(fixture(name), 'r0')), DEFAULT_SCORE_TABLE)).toEqual(set(10000));
    }
  });

  test('DRBD 9 quorum:yes does not stop a score', () => {
    expect(promotionScore(deriveStatus(parseEvents2(fixture('events2-922-split-primary.txt'), 'mysql')), DEFAULT_SCORE_TABLE)).toEqual(set(10000));
  });
});

describe('parseScoreTable', () => {
  test.each([
    ['0 10 1000 10000', DEFAULT_SCORE_TABLE],
    ['  1\t2  3 4 ', {onlyConsistent: 1, onlyRemote: 2, localOk: 3, asGoodAsItGets: 4}],
    ['-5 0 0 0', {onlyConsistent: -5, onlyRemote: 0, localOk: 0, asGoodAsItGets: 0}],
  ])('%j', (text, table) => {
    expect(parseScoreTable(text)).toEqual(table);
  });

  test.each([[''], ['0 10 1000'], ['0 10 1000 10000 5'], ['10 0 1000 10000'], ['0 10 1e3 10000'], ['a b c d'], ['0 10 1000 99999999999']])('%j is not a table', (text) => {
    expect(parseScoreTable(text)).toBeUndefined();
  });

  test('the default table is 0 10 1000 10000', () => {
    expect(DEFAULT_SCORE_TABLE).toEqual({onlyConsistent: 0, onlyRemote: 10, localOk: 1000, asGoodAsItGets: 10000});
  });
});
