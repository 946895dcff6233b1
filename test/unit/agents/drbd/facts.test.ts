import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {deserialiseFacts, markerPath, serialiseFacts} from '../../../../agents/drbd/facts';
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
