import {checkChains, latestFull, planRetention, restoreChain, type SetEntry} from '../../../../agents/backup/chain';
import {fileListText, parseCheckpoints, parseManifest, setId, SET_ID, type Manifest} from '../../../../agents/backup/manifest';

let clock = 0;
// A set of `type` on a chain; LSNs follow the base so the chain is intact unless told.
function set(type: 'full' | 'differential', base: SetEntry | undefined, from?: string): SetEntry {
  clock += 60_000;
  const id = setId(type, new Date(Date.UTC(2025, 0, 1) + clock));
  const start = type === 'full' ? '0' : (from ?? base?.manifest?.lsn.to ?? '0');
  const manifest = {
    format: 1, id, type, base: base?.id ?? null, lsn: {from: start, to: String(1000 + clock / 1000), last: String(1000 + clock / 1000)},
    files: [{path: 'data/ibdata1', size: 1, sha256: 'x'}], checksum: 'y',
  } as unknown as Manifest;
  return {id, state: 'good', manifest};
}

describe('chains', () => {
  test('ids sort by time and name their type', () => {
    expect(setId('full', new Date('2025-01-02T03:04:05.678Z'))).toBe('20250102T030405.678Z-full');
    expect(setId('differential', new Date('2025-01-02T03:04:05.678Z'))).toBe('20250102T030405.678Z-diff');
    expect(SET_ID.test('20250102T030405.678Z-diff')).toBe(true);
    expect(SET_ID.test('.partial-20250102T030405.678Z-diff.123')).toBe(false);
  });

  test('a differential restores with its full; a full alone', () => {
    const f = set('full', undefined);
    const d = set('differential', f);
    expect(restoreChain([f, d], d.id).map((m) => m.id)).toEqual([f.id, d.id]);
    expect(restoreChain([f, d], f.id).map((m) => m.id)).toEqual([f.id]);
  });

  test('a differential whose full is gone, damaged or ends elsewhere is broken and refused', () => {
    const f = set('full', undefined);
    const d = set('differential', f);
    expect(() => restoreChain([d], d.id)).toThrow(`set ${d.id} is broken: its full set ${f.id} is missing`);
    expect(() => restoreChain([{id: f.id, state: 'damaged', problem: 'no manifest'}, d], d.id)).toThrow(`its full set ${f.id} is damaged`);
    const skewed = set('differential', f, '17');
    expect(checkChains([f, skewed])[1]).toMatchObject({state: 'broken', problem: `it starts at LSN 17 but its full set ${f.id} ends at ${f.manifest?.lsn.to}`});
    expect(() => restoreChain([f], 'nope')).toThrow('no backup set nope');
  });

  test('the newest good full is the base of the next differential', () => {
    const f1 = set('full', undefined);
    const f2 = set('full', undefined);
    const d = set('differential', f2);
    expect(latestFull([f1, f2, d])?.id).toBe(f2.id);
    expect(latestFull([f1, {id: f2.id, state: 'damaged'}])?.id).toBe(f1.id);
    expect(latestFull([])).toBeUndefined();
  });
});

describe('retention', () => {
  test('keeps the newest fulls, each with its newest differentials; older fulls go with theirs', () => {
    const f1 = set('full', undefined);
    const d11 = set('differential', f1);
    const f2 = set('full', undefined);
    const d21 = set('differential', f2);
    const d22 = set('differential', f2);
    const f3 = set('full', undefined);
    const d31 = set('differential', f3);
    const d32 = set('differential', f3);
    const d33 = set('differential', f3);
    const all = [f1, d11, f2, d21, d22, f3, d31, d32, d33];
    expect(planRetention(all, 2, 2)).toEqual([f1.id, d11.id, d31.id].sort());
    expect(planRetention(all, 2, 1)).toEqual([f1.id, d11.id, d21.id, d31.id, d32.id].sort());
    expect(planRetention(all, 3, 5)).toEqual([]);
    expect(planRetention(all, 1, 0)).toEqual([f1.id, d11.id, f2.id, d21.id, d22.id, d31.id, d32.id, d33.id].sort());
  });

  test('damaged sets are left for the operator', () => {
    const f1 = set('full', undefined);
    const damaged: SetEntry = {id: setId('full', new Date(Date.UTC(2024, 0, 1))), state: 'damaged', problem: 'no manifest'};
    const f2 = set('full', undefined);
    expect(planRetention([damaged, f1, f2], 1, 0)).toEqual([f1.id]);
  });
});

describe('manifest and checkpoints', () => {
  test('xtrabackup_checkpoints of a differential', () => {
    const text = 'backup_type = incremental\nfrom_lsn = 47343\nto_lsn = 49120\nlast_lsn = 49132\nrecover_binlog_info = 0\n';
    expect(parseCheckpoints(text)).toEqual({backupType: 'incremental', lsn: {from: '47343', to: '49120', last: '49132'}});
    expect(() => parseCheckpoints('backup_type = full-backuped\nfrom_lsn = 0\n')).toThrow('xtrabackup_checkpoints has no to_lsn');
    expect(() => parseCheckpoints('backup_type = full-backuped\nfrom_lsn = x\nto_lsn = 5\n')).toThrow('from_lsn "x" is not a number');
  });

  test('a manifest of another directory, type or without files is refused', () => {
    const good = set('full', undefined).manifest as Manifest;
    expect(parseManifest(JSON.stringify(good), good.id).id).toBe(good.id);
    expect(() => parseManifest(JSON.stringify(good), 'other')).toThrow(`bad id ${good.id} in directory other`);
    expect(() => parseManifest(JSON.stringify({...good, type: 'incr', files: []}), good.id)).toThrow('bad type incr, file list');
    expect(() => parseManifest(JSON.stringify({...good, type: 'differential', base: null}), good.id)).toThrow('differential without base');
    expect(() => parseManifest('{', good.id)).toThrow();
  });

  test('the file list text is sorted and stable', () => {
    const files = [{path: 'data/b', size: 2, sha256: 'bb'}, {path: 'data/a', size: 1, sha256: 'aa'}];
    expect(fileListText(files)).toBe('aa  1  data/a\nbb  2  data/b\n');
  });
});
