import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseEvents2} from '../../../../lib/drbd/events2';
import type {ResourceState} from '../../../../lib/drbd/types';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/drbd', name), 'utf8');

// The single-volume 8.4 resource r0 of the observed transcripts.
const r0 = (overrides: {role: ResourceState['role']; connection: ResourceState['connections'][number]; disk?: string}): ResourceState => ({
  name: 'r0',
  exists: true,
  role: overrides.role,
  suspended: false,
  devices: [{volume: 0, minor: 0, disk: (overrides.disk ?? 'UpToDate') as never, client: false}],
  connections: [overrides.connection],
});

describe('parseEvents2 on observed DRBD 8.4.11 output (drbdsetup-84)', () => {
  test('a connected Primary', () => {
    expect(parseEvents2(fixture('events2-84-primary-connected.txt'), 'r0')).toEqual(
      r0({
        role: 'Primary',
        connection: {
          peerNodeId: 0,
          name: 'peer',
          connection: 'Connected',
          peerRole: 'Secondary',
          peerDevices: [{volume: 0, replication: 'Established', peerDisk: 'UpToDate', peerClient: false}],
        },
      }),
    );
  });

  test('a connected Secondary sees the Primary peer', () => {
    const state = parseEvents2(fixture('events2-84-secondary-connected.txt'), 'r0');
    expect(state.role).toBe('Secondary');
    expect(state.connections[0]?.peerRole).toBe('Primary');
  });

  test('a Primary waiting for its peer (8.4 WFConnection is reported as Connecting)', () => {
    const state = parseEvents2(fixture('events2-84-primary-connecting.txt'), 'r0');
    expect(state.connections).toEqual([
      {peerNodeId: 0, name: 'peer', connection: 'Connecting', peerRole: 'Unknown', peerDevices: [{volume: 0, replication: 'Off', peerDisk: 'DUnknown', peerClient: false}]},
    ]);
  });

  test('a StandAlone Primary after split brain: no conn-name, no net config', () => {
    expect(parseEvents2(fixture('events2-84-primary-standalone.txt'), 'r0')).toEqual(
      r0({
        role: 'Primary',
        connection: {peerNodeId: 0, connection: 'StandAlone', peerRole: 'Unknown', peerDevices: [{volume: 0, replication: 'Off', peerDisk: 'DUnknown', peerClient: false}]},
      }),
    );
  });

  test('--statistics: out-of-sync is the KiB written while disconnected (10 × 4 KiB)', () => {
    const state = parseEvents2(fixture('events2-84-primary-connecting-statistics.txt'), 'r0');
    expect(state.connections[0]?.peerDevices[0]).toEqual({volume: 0, replication: 'Off', peerDisk: 'DUnknown', peerClient: false, outOfSyncKiB: 40});
    expect(state.devices).toEqual([{volume: 0, minor: 0, disk: 'UpToDate', client: false}]);
  });

  test('--statistics on a StandAlone Secondary that wrote nothing', () => {
    const state = parseEvents2(fixture('events2-84-secondary-standalone-statistics.txt'), 'r0');
    expect(state.role).toBe('Secondary');
    expect(state.connections[0]).toMatchObject({connection: 'StandAlone', peerDevices: [{outOfSyncKiB: 0}]});
  });

  test('a forced Primary whose fence-peer handler outdated the peer', () => {
    const state = parseEvents2(fixture('events2-84-primary-peer-outdated.txt'), 'r0');
    expect(state.connections[0]?.peerDevices[0]?.peerDisk).toBe('Outdated');
  });

  test('an unknown or down resource prints only the end marker: not configured', () => {
    expect(parseEvents2(fixture('events2-84-unknown-resource.txt'), 'r0')).toEqual({name: 'r0', exists: false, role: 'Unknown', devices: [], connections: []});
  });

  test('a timestamped live stream: the state is the snapshot up to `exists -`', () => {
    const state = parseEvents2(fixture('events2-84-timestamps-stream-ctl1.txt'), 'r0');
    expect(state.role).toBe('Primary');
    expect(state.connections[0]).toMatchObject({connection: 'Connected', peerRole: 'Secondary'});
  });
});

describe('parseEvents2 on DRBD 9.22 output (reference/drbd.md §3.3)', () => {
  test('a split-brained Primary: every field the model has', () => {
    expect(parseEvents2(fixture('events2-922-split-primary.txt'), 'mysql')).toEqual({
      name: 'mysql',
      exists: true,
      role: 'Primary',
      suspended: false,
      mayPromote: false,
      promotionScore: 10101,
      devices: [{volume: 0, minor: 0, disk: 'UpToDate', client: false, quorum: true, backingDev: '/dev/vdb'}],
      connections: [
        {
          peerNodeId: 1,
          name: 'ctl2',
          connection: 'StandAlone',
          peerRole: 'Unknown',
          peerDevices: [{volume: 0, replication: 'Off', peerDisk: 'DUnknown', peerClient: false}],
        },
      ],
    });
  });

  test('multiple volumes and peers, lines in any order, keys in any order', () => {
    const text = [
      'exists peer-device name:r peer-node-id:2 conn-name:c volume:1 peer-disk:UpToDate replication:SyncSource done:42.17 out-of-sync:1024',
      'exists device name:r volume:1 minor:11 disk:UpToDate client:no quorum:yes',
      'exists connection name:r peer-node-id:2 conn-name:c connection:Connected role:Secondary',
      'exists peer-device name:r peer-node-id:1 conn-name:b volume:0 replication:Off peer-disk:Diskless peer-client:yes',
      'exists resource name:r role:Secondary suspended:user may_promote:yes promotion_score:10202',
      'exists device name:r volume:0 minor:10 disk:Diskless client:yes quorum:no backing_dev:none',
      'exists connection name:r peer-node-id:1 conn-name:b connection:Connected role:Primary',
      'exists peer-device name:r peer-node-id:2 conn-name:c volume:0 replication:Established peer-disk:UpToDate',
      'exists peer-device name:r peer-node-id:1 conn-name:b volume:1 replication:Off peer-disk:Diskless peer-client:yes',
      'exists -',
    ].join('\n');
    expect(parseEvents2(text, 'r')).toEqual({
      name: 'r',
      exists: true,
      role: 'Secondary',
      suspended: true,
      mayPromote: true,
      promotionScore: 10202,
      devices: [
        {volume: 0, minor: 10, disk: 'Diskless', client: true, quorum: false},
        {volume: 1, minor: 11, disk: 'UpToDate', client: false, quorum: true},
      ],
      connections: [
        {
          peerNodeId: 1,
          name: 'b',
          connection: 'Connected',
          peerRole: 'Primary',
          peerDevices: [
            {volume: 0, replication: 'Off', peerDisk: 'Diskless', peerClient: true},
            {volume: 1, replication: 'Off', peerDisk: 'Diskless', peerClient: true},
          ],
        },
        {
          peerNodeId: 2,
          name: 'c',
          connection: 'Connected',
          peerRole: 'Secondary',
          peerDevices: [
            {volume: 0, replication: 'Established', peerDisk: 'UpToDate', peerClient: false},
            {volume: 1, replication: 'SyncSource', peerDisk: 'UpToDate', peerClient: false, outOfSyncKiB: 1024, done: 42.17},
          ],
        },
      ],
    });
  });
});

describe('parseEvents2 tolerance', () => {
  const text = [
    'exists resource name:other role:Primary suspended:no',
    'exists resource name:r0 role:Secondary suspended:no brand-new-key:42',
    'exists resource-group name:r0 whatever:1',
    'change resource name:r0 role:Primary',
    'exists connection name:r0 peer-node-id:0 connection:WFReportParams role:Unknown',
    'exists device name:r0 volume:0 minor:0 disk:Weird',
    'garbage without colons',
    '- skipped 3',
    'exists device name:other volume:0 minor:5 disk:UpToDate',
    'exists -',
    'exists device name:r0 volume:7 minor:7 disk:UpToDate',
  ].join('\n');

  test('skips other resources, other actions, unknown objects and lines after `exists -`', () => {
    const state = parseEvents2(text, 'r0');
    expect(state.role).toBe('Secondary');
    expect(state.devices).toEqual([{volume: 0, minor: 0, disk: 'DUnknown', client: false}]);
    expect(state.connections).toEqual([{peerNodeId: 0, connection: 'Connecting', peerRole: 'Unknown', peerDevices: []}]);
  });

  test('8.4 replication states in cstate mean Connected', () => {
    const state = parseEvents2('exists resource name:r0 role:Primary\nexists connection name:r0 peer-node-id:0 connection:SyncSource role:Secondary\n', 'r0');
    expect(state.connections[0]?.connection).toBe('Connected');
  });

  test('CRLF line ends and surrounding blanks', () => {
    const state = parseEvents2('  exists resource name:r0 role:Primary suspended:no  \r\nexists -\r\n', 'r0');
    expect(state).toMatchObject({exists: true, role: 'Primary', suspended: false});
  });

  test.each([[''], ['\n\n'], ['exists'], ['exists resource'], ['{"json": true}'], [String.fromCharCode(0, 1, 2)]])('never throws on %j', (input) => {
    expect(parseEvents2(input, 'r0')).toEqual({name: 'r0', exists: false, role: 'Unknown', devices: [], connections: []});
  });

  test('a resource line without the name of the resource does not count', () => {
    expect(parseEvents2('exists resource role:Primary\n', 'r0').exists).toBe(false);
  });
});
