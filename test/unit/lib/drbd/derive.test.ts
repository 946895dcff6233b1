import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {deriveStatus, type DerivedStatus} from '../../../../lib/drbd/derive';
import {parseEvents2} from '../../../../lib/drbd/events2';
import {parseStatusJson} from '../../../../lib/drbd/status-json';
import type {ConnectionInfo, DeviceState, DiskState, ResourceState} from '../../../../lib/drbd/types';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/drbd', name), 'utf8');
const derive84 = (name: string) => deriveStatus(parseEvents2(fixture(name), 'r0'));

describe('deriveStatus on observed 8.4.11 states', () => {
  test('connected Primary, both UpToDate', () => {
    expect(derive84('events2-84-primary-connected.txt')).toEqual<DerivedStatus>({
      configured: true,
      primary: true,
      somePeerPrimary: false,
      diskAllUpToDate: true,
      diskAllConsistent: true,
      diskTransitional: false,
      diskFailed: false,
      diskless: false,
      disklessClient: false,
      pdskAllUpToDate: true,
      somePeerAllUpToDate: true,
      pdskAnyUnknown: false,
      quorate: true,
      standAlone: false,
      connected: true,
      outOfSyncKiB: 0,
    });
  });

  test('connected Secondary sees a Primary peer', () => {
    expect(derive84('events2-84-secondary-connected.txt')).toMatchObject({primary: false, somePeerPrimary: true, connected: true, pdskAllUpToDate: true});
  });

  test('StandAlone Primary after the split: peer disk unknown', () => {
    expect(derive84('events2-84-primary-standalone.txt')).toMatchObject({
      primary: true,
      standAlone: true,
      connected: false,
      pdskAllUpToDate: false,
      somePeerAllUpToDate: false,
      pdskAnyUnknown: true,
      diskAllUpToDate: true,
    });
  });

  test('Connecting (WFConnection) is neither StandAlone nor connected', () => {
    expect(derive84('events2-84-primary-connecting.txt')).toMatchObject({standAlone: false, connected: false, pdskAnyUnknown: true});
  });

  test('out-of-sync KiB while disconnected', () => {
    expect(derive84('events2-84-primary-connecting-statistics.txt').outOfSyncKiB).toBe(40);
    expect(derive84('events2-84-secondary-standalone-statistics.txt').outOfSyncKiB).toBe(0);
  });

  test('a peer marked Outdated is known, not UpToDate', () => {
    expect(derive84('events2-84-primary-peer-outdated.txt')).toMatchObject({pdskAnyUnknown: false, pdskAllUpToDate: false});
  });

  test('not configured: everything false, no quorum loss claimed', () => {
    expect(derive84('events2-84-unknown-resource.txt')).toMatchObject({configured: false, primary: false, standAlone: false, connected: false, quorate: true});
  });
});

describe('deriveStatus on DRBD 9.22 states', () => {
  test('events2 and status --json of the same split-brained Primary derive the same flags but oos', () => {
    const fromEvents = deriveStatus(parseEvents2(fixture('events2-922-split-primary.txt'), 'mysql'));
    const fromJson = deriveStatus(parseStatusJson(fixture('status-json-922-split-primary.json'))[0] as ResourceState);
    expect(fromJson).toEqual({...fromEvents, outOfSyncKiB: 1200});
    expect(fromEvents).toMatchObject({primary: true, standAlone: true, quorate: true, pdskAnyUnknown: true});
  });
});

// A synthetic resource: volumes' disks, and per peer [peer-disks, peer-client?, connection, role].
function resource(disks: DiskState[], peers: Array<{disks: DiskState[]; client?: boolean; connection?: ConnectionInfo['connection']; role?: ConnectionInfo['peerRole']}>, extra: Partial<DeviceState> = {}): ResourceState {
  return {
    name: 'r',
    exists: true,
    role: 'Secondary',
    devices: disks.map((disk, volume) => ({volume, disk, client: disk === 'Diskless' && extra.client === true, ...(extra.quorum !== undefined ? {quorum: extra.quorum} : {})})),
    connections: peers.map((p, i) => ({
      peerNodeId: i + 1,
      connection: p.connection ?? 'Connected',
      peerRole: p.role ?? 'Secondary',
      peerDevices: p.disks.map((peerDisk, volume) => ({volume, replication: 'Established', peerDisk, peerClient: p.client === true})),
    })),
  };
}

describe('deriveStatus rules (LINBIT drbd.shellfuncs.sh, with safer edges)', () => {
  test.each<[string, ResourceState, Partial<DerivedStatus>]>([
    ['Consistent local disk is consistent, not UpToDate', resource(['Consistent'], [{disks: ['DUnknown'], connection: 'Connecting'}]), {diskAllUpToDate: false, diskAllConsistent: true}],
    ['Outdated is not consistent', resource(['Outdated'], [{disks: ['UpToDate']}]), {diskAllConsistent: false, somePeerAllUpToDate: true}],
    ['Attaching is transitional', resource(['Attaching'], [{disks: ['UpToDate']}]), {diskTransitional: true, diskAllConsistent: false}],
    ['Negotiating is transitional', resource(['UpToDate', 'Negotiating'], [{disks: ['UpToDate', 'UpToDate']}]), {diskTransitional: true, diskAllUpToDate: false}],
    ['Failed is failed', resource(['Failed'], [{disks: ['UpToDate']}]), {diskFailed: true, diskAllConsistent: false}],
    ['Diskless without client is diskless, not a client', resource(['Diskless'], [{disks: ['UpToDate']}]), {diskless: true, disklessClient: false, diskAllConsistent: false}],
    ['all volumes diskless clients', resource(['Diskless', 'Diskless'], [{disks: ['UpToDate', 'UpToDate']}], {client: true}), {disklessClient: true, diskless: true, diskAllUpToDate: false, pdskAllUpToDate: true}],
    ['a local DUnknown disk is not UpToDate (LINBIT counts it as UpToDate)', resource(['DUnknown'], [{disks: ['UpToDate']}]), {diskAllUpToDate: false, diskAllConsistent: false}],
    ['no volumes: nothing is UpToDate, not a client', resource([], []), {diskAllUpToDate: false, disklessClient: false, diskAllConsistent: false}],
    ['no peers: peer disks unknown, StandAlone', resource(['UpToDate'], []), {pdskAnyUnknown: true, pdskAllUpToDate: false, standAlone: true, connected: false}],
    ['a peer missing a volume has an unknown disk', resource(['UpToDate', 'UpToDate'], [{disks: ['UpToDate']}]), {pdskAnyUnknown: true, pdskAllUpToDate: false, somePeerAllUpToDate: false}],
    ['a diskless-client peer is ignored for peer disks', resource(['UpToDate'], [{disks: ['UpToDate']}, {disks: ['Diskless'], client: true}]), {pdskAllUpToDate: true, pdskAnyUnknown: false}],
    ['three nodes: one peer good, one unknown', resource(['UpToDate'], [{disks: ['UpToDate']}, {disks: ['DUnknown'], connection: 'Connecting'}]), {somePeerAllUpToDate: true, pdskAllUpToDate: false, pdskAnyUnknown: true, connected: false, standAlone: false}],
    ['one StandAlone connection of two makes it StandAlone', resource(['UpToDate'], [{disks: ['UpToDate']}, {disks: ['DUnknown'], connection: 'StandAlone'}]), {standAlone: true}],
    ['quorum:no on any volume', resource(['UpToDate', 'UpToDate'], [{disks: ['UpToDate', 'UpToDate']}], {quorum: false}), {quorate: false}],
    ['peer Primary', resource(['UpToDate'], [{disks: ['UpToDate'], role: 'Primary'}]), {somePeerPrimary: true}],
  ])('%s', (_name, state, expected) => {
    expect(deriveStatus(state)).toMatchObject(expected);
  });

  test('out-of-sync sums over peer devices and ignores nonsense', () => {
    const state = resource(['UpToDate', 'UpToDate'], [{disks: ['DUnknown', 'DUnknown'], connection: 'StandAlone'}]);
    const devices = state.connections[0]!.peerDevices;
    devices[0]!.outOfSyncKiB = 1200;
    devices[1]!.outOfSyncKiB = -5;
    expect(deriveStatus(state).outOfSyncKiB).toBe(1200);
  });
});
