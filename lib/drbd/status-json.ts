import {toConnectionState, toDiskState, toRole} from './names';
import type {ConnectionInfo, DeviceState, PeerDeviceState, ResourceState} from './types';

// `drbdsetup status --json [<res>]` (DRBD 9 only; drbd-utils 9.22
// resource_status_json and friends, reference/drbd.md §3.1). Peer devices sit
// under "peer_devices" (underscore) in 9.22; "peer-devices" is accepted too.

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isObject) : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

function toDevice(json: Json): DeviceState {
  const device: DeviceState = {
    volume: count(json.volume) ?? 0,
    disk: toDiskState(text(json['disk-state'])),
    client: json.client === true,
  };
  const minor = count(json.minor);
  if (minor !== undefined) device.minor = minor;
  const quorum = flag(json.quorum);
  if (quorum !== undefined) device.quorum = quorum;
  return device;
}

function toPeerDevice(json: Json): PeerDeviceState {
  const peerDevice: PeerDeviceState = {
    volume: count(json.volume) ?? 0,
    replication: text(json['replication-state']) ?? 'Off',
    peerDisk: toDiskState(text(json['peer-disk-state'])),
    peerClient: json['peer-client'] === true,
  };
  const outOfSync = count(json['out-of-sync']);
  if (outOfSync !== undefined) peerDevice.outOfSyncKiB = outOfSync;
  const done = count(json['percent-resync-done']);
  if (done !== undefined) peerDevice.done = done;
  return peerDevice;
}

function toConnection(json: Json): ConnectionInfo {
  const connection: ConnectionInfo = {
    peerNodeId: count(json['peer-node-id']) ?? 0,
    connection: toConnectionState(text(json['connection-state'])),
    peerRole: toRole(text(json['peer-role'])),
    peerDevices: list(json.peer_devices ?? json['peer-devices']).map(toPeerDevice).sort((x, y) => x.volume - y.volume),
  };
  const name = text(json.name);
  if (name !== undefined) connection.name = name;
  return connection;
}

function toResource(json: Json): ResourceState {
  const suspended = flag(json.suspended);
  return {
    name: text(json.name) ?? '',
    exists: true,
    role: toRole(text(json.role)),
    ...(suspended !== undefined ? {suspended} : {}),
    devices: list(json.devices).map(toDevice).sort((x, y) => x.volume - y.volume),
    connections: list(json.connections).map(toConnection).sort((x, y) => x.peerNodeId - y.peerNodeId),
  };
}

// Every resource in the output; [] for anything that is not the expected
// JSON (never throws: a monitor must survive an odd reply).
export function parseStatusJson(output: string): ResourceState[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return [];
  }
  return list(parsed).map(toResource).filter((resource) => resource.name !== '');
}
