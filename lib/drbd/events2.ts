import {toConnectionState, toDiskState, toRole} from './names';
import type {ConnectionInfo, DeviceState, PeerDeviceState, ResourceState} from './types';

// `drbdsetup events2 --now [--statistics] [--timestamps] <res>` of DRBD 9.22
// and of 8.4 through drbdsetup-84 (reference/drbd.md §3.3). Line grammar:
//   [<ISO timestamp> ]<action> <object> key:value ...
// Only `exists` lines up to the `exists -` end marker describe the state.
// The order of lines and keys is not relied on; unknown keys, objects,
// actions and other resources' lines are skipped.

type Fields = Map<string, string>;

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\S+$/;

// Splits `key:value` words at the first colon (values may hold colons:
// `local:ipv4:192.0.2.1:7789`).
function fieldsOf(words: readonly string[]): Fields {
  const fields: Fields = new Map();
  for (const word of words) {
    const colon = word.indexOf(':');
    if (colon > 0) fields.set(word.slice(0, colon), word.slice(colon + 1));
  }
  return fields;
}

const integer = (text: string | undefined): number | undefined =>
  text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;

const decimal = (text: string | undefined): number | undefined =>
  text !== undefined && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;

const yes = (text: string | undefined): boolean | undefined =>
  text === 'yes' ? true : text === 'no' ? false : undefined;

// One `exists` line: its object kind and fields, or undefined for other lines.
function parseLine(line: string): {object: string; fields: Fields} | 'end' | undefined {
  const words = line.trim().split(/\s+/);
  if (words[0] !== undefined && TIMESTAMP.test(words[0])) words.shift();
  if (words[0] !== 'exists' || words[1] === undefined) return undefined;
  if (words[1] === '-') return 'end';
  return {object: words[1], fields: fieldsOf(words.slice(2))};
}

const connectionFor = (connections: Map<number, ConnectionInfo>, peerNodeId: number): ConnectionInfo => {
  let connection = connections.get(peerNodeId);
  if (!connection) {
    connection = {peerNodeId, connection: 'Unconnected', peerRole: 'Unknown', peerDevices: []};
    connections.set(peerNodeId, connection);
  }
  return connection;
};

// The state of `resource` in events2 output; never throws. No `exists
// resource` line (the output of a resource that is down is just `exists -`)
// gives exists: false.
export function parseEvents2(text: string, resource: string): ResourceState {
  const state: ResourceState = {name: resource, exists: false, role: 'Unknown', devices: [], connections: []};
  const devices = new Map<number, DeviceState>();
  const connections = new Map<number, ConnectionInfo>();
  for (const line of String(text ?? '').split('\n')) {
    const parsed = parseLine(line);
    if (parsed === 'end') break;
    if (!parsed || parsed.fields.get('name') !== resource) continue;
    const {object, fields: f} = parsed;
    if (object === 'resource') {
      state.exists = true;
      state.role = toRole(f.get('role'));
      if (f.has('suspended')) state.suspended = f.get('suspended') !== 'no';
      const mayPromote = yes(f.get('may_promote'));
      if (mayPromote !== undefined) state.mayPromote = mayPromote;
      const score = integer(f.get('promotion_score'));
      if (score !== undefined) state.promotionScore = score;
    } else if (object === 'device') {
      const volume = integer(f.get('volume')) ?? 0;
      const device: DeviceState = {volume, disk: toDiskState(f.get('disk')), client: f.get('client') === 'yes'};
      const minor = integer(f.get('minor'));
      if (minor !== undefined) device.minor = minor;
      const quorum = yes(f.get('quorum'));
      if (quorum !== undefined) device.quorum = quorum;
      const backing = f.get('backing_dev');
      if (backing !== undefined && backing !== 'none') device.backingDev = backing;
      devices.set(volume, device);
    } else if (object === 'connection') {
      const connection = connectionFor(connections, integer(f.get('peer-node-id')) ?? 0);
      connection.connection = toConnectionState(f.get('connection'));
      connection.peerRole = toRole(f.get('role'));
      const name = f.get('conn-name');
      if (name !== undefined) connection.name = name;
    } else if (object === 'peer-device') {
      const connection = connectionFor(connections, integer(f.get('peer-node-id')) ?? 0);
      const peerDevice: PeerDeviceState = {
        volume: integer(f.get('volume')) ?? 0,
        replication: f.get('replication') ?? 'Off',
        peerDisk: toDiskState(f.get('peer-disk')),
        peerClient: f.get('peer-client') === 'yes',
      };
      const outOfSync = integer(f.get('out-of-sync'));
      if (outOfSync !== undefined) peerDevice.outOfSyncKiB = outOfSync;
      const done = decimal(f.get('done'));
      if (done !== undefined) peerDevice.done = done;
      connection.peerDevices = [...connection.peerDevices.filter((p) => p.volume !== peerDevice.volume), peerDevice];
    }
  }
  if (!state.exists) return state;
  state.devices = [...devices.values()].sort((x, y) => x.volume - y.volume);
  state.connections = [...connections.values()].sort((x, y) => x.peerNodeId - y.peerNodeId);
  for (const connection of state.connections) connection.peerDevices.sort((x, y) => x.volume - y.volume);
  return state;
}
