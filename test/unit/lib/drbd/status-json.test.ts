import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseEvents2} from '../../../../lib/drbd/events2';
import {parseStatusJson} from '../../../../lib/drbd/status-json';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/drbd', name), 'utf8');

describe('parseStatusJson', () => {
  test('the 9.22 rendering of a split-brained Primary (trailing space after "StandAlone", ` ]` closers)', () => {
    expect(parseStatusJson(fixture('status-json-922-split-primary.json'))).toEqual([
      {
        name: 'mysql',
        exists: true,
        role: 'Primary',
        suspended: false,
        devices: [{volume: 0, minor: 0, disk: 'UpToDate', client: false, quorum: true}],
        connections: [
          {
            peerNodeId: 1,
            name: 'ctl2',
            connection: 'StandAlone',
            peerRole: 'Unknown',
            peerDevices: [{volume: 0, replication: 'Off', peerDisk: 'DUnknown', peerClient: false, outOfSyncKiB: 1200}],
          },
        ],
      },
    ]);
  });

  test('agrees with events2 on the same resource, except what only one of them reports', () => {
    const [fromJson] = parseStatusJson(fixture('status-json-922-split-primary.json'));
    const fromEvents = parseEvents2(fixture('events2-922-split-primary.txt'), 'mysql');
    const {mayPromote, promotionScore, ...rest} = fromEvents;
    expect(mayPromote).toBe(false);
    expect(promotionScore).toBe(10101);
    const withoutBacking = {...rest, devices: rest.devices.map(({backingDev, ...d}) => (void backingDev, d))};
    const jsonWithoutOos = {
      ...fromJson,
      connections: fromJson?.connections.map((c) => ({...c, peerDevices: c.peerDevices.map(({outOfSyncKiB, ...p}) => (void outOfSyncKiB, p))})),
    };
    expect(jsonWithoutOos).toEqual(withoutBacking);
  });

  test('several resources, "peer-devices" spelling, a resync in progress', () => {
    const text = JSON.stringify([
      {name: 'a', role: 'Secondary', suspended: true, devices: [], connections: []},
      {
        name: 'b',
        role: 'Primary',
        devices: [{volume: 1, 'disk-state': 'UpToDate', client: false}, {volume: 0, 'disk-state': 'Diskless', client: true}],
        connections: [
          {
            'peer-node-id': 3,
            name: 'z',
            'connection-state': 'Connected',
            'peer-role': 'Secondary',
            'peer-devices': [{volume: 0, 'replication-state': 'SyncSource', 'peer-disk-state': 'Inconsistent', 'peer-client': false, 'out-of-sync': 512, 'percent-resync-done': 61.5}],
          },
        ],
      },
    ]);
    const [a, b] = parseStatusJson(text);
    expect(a).toEqual({name: 'a', exists: true, role: 'Secondary', suspended: true, devices: [], connections: []});
    expect(b?.devices.map((d) => d.volume)).toEqual([0, 1]);
    expect(b?.connections[0]?.peerDevices[0]).toEqual({volume: 0, replication: 'SyncSource', peerDisk: 'Inconsistent', peerClient: false, outOfSyncKiB: 512, done: 61.5});
  });

  test('an unknown resource: drbdsetup prints an empty array', () => {
    expect(parseStatusJson('[\n]\n')).toEqual([]);
  });

  test.each([[''], ['['], ['not json'], ['{}'], ['null'], ['[1, "x", null, {"role": "Primary"}]'], ['[{"name": 5}]']])('never throws on %j', (text) => {
    expect(parseStatusJson(text)).toEqual([]);
  });

  test('odd values inside a resource fall back to the values that claim least', () => {
    const [r] = parseStatusJson('[{"name":"r","role":"Boss","devices":[{"disk-state":7}],"connections":[{"connection-state":"WFConnection","peer_devices":"x"}]}]');
    expect(r).toEqual({
      name: 'r',
      exists: true,
      role: 'Unknown',
      devices: [{volume: 0, disk: 'DUnknown', client: false}],
      connections: [{peerNodeId: 0, connection: 'Connecting', peerRole: 'Unknown', peerDevices: []}],
    });
  });
});
