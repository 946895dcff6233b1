import {isUsableDisk} from './names';
import type {ConnectionInfo, DeviceState, ResourceState} from './types';

// The booleans LINBIT's agent derives from DRBD's state (drbd-utils
// scripts/drbd.shellfuncs.sh, _drbd_set_status_variables_from_events2;
// reference/drbd.md §1.2), computed once from a ResourceState.
export interface DerivedStatus {
  // An `exists resource` line was there (LINBIT: not status_unconfigured).
  configured: boolean;
  primary: boolean;
  somePeerPrimary: boolean;
  // Every local volume with a disk is UpToDate (false when there is none).
  diskAllUpToDate: boolean;
  // Every local volume with a disk is Consistent or UpToDate.
  diskAllConsistent: boolean;
  // Some local disk is Attaching or Negotiating: wait, decide nothing.
  diskTransitional: boolean;
  // Some local disk is Failed (an I/O error, before DRBD detaches it).
  diskFailed: boolean;
  // Some local volume has no disk (Diskless: detached or never attached).
  diskless: boolean;
  // Every volume is an intentional DRBD 9 diskless client (status_diskless_client).
  disklessClient: boolean;
  // Every peer (diskless clients aside) has all its disks UpToDate.
  pdskAllUpToDate: boolean;
  // At least one peer has all its disks UpToDate (status_some_peer_all_up_to_date).
  somePeerAllUpToDate: boolean;
  // Some peer disk is not known (DUnknown or missing), or there is no peer.
  pdskAnyUnknown: boolean;
  // No volume reports quorum:no (8.4 has no quorum: always true).
  quorate: boolean;
  // No connection, or some connection StandAlone: DRBD will not reconnect by itself.
  standAlone: boolean;
  // There are connections and all of them are Connected.
  connected: boolean;
  // KiB this node changed that its peers have not got (sum over peer devices).
  outOfSyncKiB: number;
}

const NOT_CONFIGURED: DerivedStatus = {
  configured: false,
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
  connected: false,
  outOfSyncKiB: 0,
};

const isClient = (device: DeviceState): boolean => device.client && device.disk === 'Diskless';

// A peer whose every volume is a diskless client says nothing about data.
const isClientPeer = (connection: ConnectionInfo, volumes: number): boolean =>
  volumes > 0 && connection.peerDevices.filter((p) => p.peerClient).length === volumes;

// The derived status; pure. Where LINBIT's shell logic has accidental
// results on odd input (no volumes counts as a diskless client and as all
// UpToDate; a local DUnknown disk counts as UpToDate; no peer counts as
// every peer known), this errs on the side of not promoting.
export function deriveStatus(state: ResourceState): DerivedStatus {
  if (!state.exists) return {...NOT_CONFIGURED};
  const volumes = state.devices.length;
  const withDisk = state.devices.filter((d) => !isClient(d));
  const peers = state.connections.filter((c) => !isClientPeer(c, volumes));
  const allUpToDate = (c: ConnectionInfo) =>
    c.peerDevices.length >= volumes && c.peerDevices.length > 0 && c.peerDevices.every((p) => p.peerDisk === 'UpToDate');
  const anyUnknown = (c: ConnectionInfo) =>
    c.peerDevices.length < volumes || c.peerDevices.some((p) => p.peerDisk === 'DUnknown');
  const somePeerAllUpToDate = peers.some(allUpToDate);
  return {
    configured: true,
    primary: state.role === 'Primary',
    somePeerPrimary: state.connections.some((c) => c.peerRole === 'Primary'),
    diskAllUpToDate: withDisk.length > 0 && withDisk.every((d) => d.disk === 'UpToDate'),
    diskAllConsistent: withDisk.length > 0 && withDisk.every((d) => isUsableDisk(d.disk)),
    diskTransitional: state.devices.some((d) => d.disk === 'Attaching' || d.disk === 'Negotiating'),
    diskFailed: state.devices.some((d) => d.disk === 'Failed'),
    diskless: state.devices.some((d) => d.disk === 'Diskless'),
    disklessClient: volumes > 0 && withDisk.length === 0,
    pdskAllUpToDate: peers.length > 0 && peers.every(allUpToDate),
    somePeerAllUpToDate,
    pdskAnyUnknown: peers.length === 0 || peers.some(anyUnknown),
    quorate: !state.devices.some((d) => d.quorum === false),
    standAlone: state.connections.length === 0 || state.connections.some((c) => c.connection === 'StandAlone'),
    connected: state.connections.length > 0 && state.connections.every((c) => c.connection === 'Connected'),
    outOfSyncKiB: state.connections
      .flatMap((c) => c.peerDevices)
      .reduce((sum, p) => sum + (p.outOfSyncKiB !== undefined && p.outOfSyncKiB > 0 ? p.outOfSyncKiB : 0), 0),
  };
}
