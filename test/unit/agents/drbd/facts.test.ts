import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {deserialiseFacts, factsAtSplit, forgetSplitFacts, markerPath, serialiseFacts} from '../../../../agents/drbd/facts';
import type {Session} from '../../../../agents/drbd/session';
import type {NodeFacts} from '../../../../lib/drbd/split-brain';
import {recordSplitBrain} from '../../../../agents/drbd/handler';
import {parseGi} from '../../../../lib/drbd/gi';

describe('published facts', () => {
  test('survive the round trip through a node attribute', () => {
    const gi = parseGi('63A8729EBE259999:7EB48A41FDFD74E7:0000000000000000:0000000000000000:1:1:1:0:0:0:0');
    const facts = {
      node: 'ctl1',
      ...(gi ? {gi} : {}),
      outOfSyncKiB: 1200,
      role: 'Primary' as const,
      connection: 'StandAlone' as const,
      disk: 'UpToDate' as const,
      splitBrainMarker: true,
      lastPrimaryAt: 1_790_000_000,
      publishedAt: 1_790_000_100,
      frozenAt: 1_790_000_050,
    };
    const text = serialiseFacts(facts);
    expect(JSON.parse(text)).toMatchObject({gi: expect.stringMatching(/^63A8729EBE259999:7EB48A41FDFD74E7:/), oos: 1200, marker: true});
    expect(deserialiseFacts('ctl1', text)).toEqual(facts);
  });

  test('garbage from attrd is no facts at all', () => {
    expect(deserialiseFacts('ctl2', '{not json')).toBeUndefined();
  });
});

describe('split-brain handler', () => {
  test('records a marker named after the peer, with what DRBD passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacloud-sb-'));
    const path = await recordSplitBrain(
      {DRBD_RESOURCE: 'r0', DRBD_PEER: 'ctl2', DRBD_MINOR: '0', DRBD_LL_DISK: '/dev/vda', PATH: '/nonexistent'},
      dir,
    );
    expect(path).toBe(markerPath(dir, 'r0', 'ctl2'));
    expect(JSON.parse(readFileSync(path as string, 'utf8'))).toMatchObject({resource: 'r0', peer: 'ctl2', minor: '0', lowerDisk: '/dev/vda'});
  });

  test('does nothing without DRBD_RESOURCE', async () => {
    expect(await recordSplitBrain({}, mkdtempSync(join(tmpdir(), 'hacloud-sb-')))).toBeUndefined();
  });
});

describe('facts frozen at the split', () => {
  // Only what factsAtSplit touches: the state directory, the names, a log.
  const session = (dir: string): Session =>
    ({node: 'ctl1', resource: 'r0', ctx: {params: {state_dir: dir}, log: {info: () => undefined}}}) as unknown as Session;
  const live = (gi: string, oos: number, at: number): NodeFacts => {
    const parsed = parseGi(gi);
    if (!parsed) throw new Error(`bad GI ${gi}`);
    return {node: 'ctl1', gi: parsed, outOfSyncKiB: oos, lastPrimaryAt: at - 5, role: 'Primary', connection: 'StandAlone', publishedAt: at};
  };
  const SPLIT = '63A8729EBE259999:7EB48A41FDFD74E7:0000000000000000:0000000000000000:1:1:1:0:0:0:0';
  const LATER = 'A1A8729EBE250001:63A8729EBE259998:7EB48A41FDFD74E7:0000000000000000:1:1:1:0:0:0:0';

  test('keep the first counts of one generation while the live ones move, and are dated', () => {
    const s = session(mkdtempSync(join(tmpdir(), 'hacloud-frozen-')));
    expect(factsAtSplit(s, live(SPLIT, 300, 1000))).toMatchObject({outOfSyncKiB: 300, lastPrimaryAt: 995, frozenAt: 1000});
    const later = factsAtSplit(s, live(SPLIT, 900, 1030));
    expect(later).toMatchObject({outOfSyncKiB: 300, lastPrimaryAt: 995, frozenAt: 1000, publishedAt: 1030, role: 'Primary'});
  });

  test('a new generation (another split) freezes anew; forgetting starts over', () => {
    const s = session(mkdtempSync(join(tmpdir(), 'hacloud-frozen-')));
    factsAtSplit(s, live(SPLIT, 300, 1000));
    expect(factsAtSplit(s, live(LATER, 64, 2000))).toMatchObject({outOfSyncKiB: 64, frozenAt: 2000});
    forgetSplitFacts(s);
    expect(factsAtSplit(s, live(LATER, 128, 3000))).toMatchObject({outOfSyncKiB: 128, frozenAt: 3000});
  });

  test('without generation identifiers nothing is frozen', () => {
    const s = session(mkdtempSync(join(tmpdir(), 'hacloud-frozen-')));
    const facts: NodeFacts = {node: 'ctl1', outOfSyncKiB: 12, publishedAt: 1000};
    expect(factsAtSplit(s, facts)).toEqual(facts);
  });
});
