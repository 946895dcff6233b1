// drbdsetup events2: the objects one node reports (resource, connection,
// device, peer-device, path) with their keys in drbd-utils' order, the
// `--now` dump, and the create/change/destroy lines between two dumps.
// 9.22 keys per drbdsetup_events2.c (tests/v9/events2-*.test); 8.4 keys as
// observed through drbdsetup-84 (no may_promote/quorum/path/backing_dev,
// peer-node-id:0, conn-name:peer only while a net config exists).
import type {NodeView} from '../view';
import {isSyncing} from '../view';

type Pair = [string, string];

export interface EventObject {
  type: 'resource' | 'connection' | 'device' | 'peer-device' | 'path';
  id: Pair[];
  // Key groups printed together when any key in the group changed.
  groups: Pair[][];
  stats: Pair[];
  // 8.4's connection without a net config: shown by --now, never in the event stream.
  synthetic?: boolean;
}

const yn = (b: boolean): string => (b ? 'yes' : 'no');

// The objects of one node's resource, in the order --now prints them.
export function eventObjects(v: NodeView): EventObject[] {
  if (!v.up) return [];
  const is9 = v.flavor === '9';
  const objects: EventObject[] = [];
  const name: Pair = ['name', v.resource];
  objects.push({
    type: 'resource',
    id: [name],
    groups: is9
      ? [[['role', v.role]], [['suspended', v.suspended]], [['force-io-failures', 'no']],
        [['may_promote', yn(v.mayPromote)], ['promotion_score', String(v.promotionScore)]]]
      : [[['role', v.role]], [['suspended', v.suspended]]],
    stats: [['write-ordering', 'flush']],
  });
  const peerId: Pair = ['peer-node-id', String(v.peerNodeId)];
  const connId: Pair[] = v.connName === null ? [name, peerId] : [name, peerId, ['conn-name', v.connName]];
  if (v.connExists) {
    objects.push({
      type: 'connection',
      id: connId,
      groups: [[['connection', v.conn]], [['role', v.peerRole]]],
      stats: is9 ? [['congested', 'no'], ['ap-in-flight', '0'], ['rs-in-flight', '0']] : [['congested', 'no']],
      synthetic: !is9 && v.connName === null,
    });
  }
  const deviceGroup: Pair[] = is9
    ? [['backing_dev', v.backingDev], ['disk', v.disk], ['client', 'no'], ['quorum', yn(v.quorum)]]
    : [['disk', v.disk]];
  objects.push({
    type: 'device',
    id: [name, ['volume', '0'], ['minor', String(v.minor)]],
    groups: [deviceGroup],
    stats: [['size', String(v.sizeKiB)], ['read', String(v.read)], ['written', String(v.written)],
      ['al-writes', String(v.alWrites)], ['bm-writes', String(v.bmWrites)], ['upper-pending', '0'],
      ['lower-pending', '0'], ['al-suspended', 'no'], ['blocked', 'no']],
  });
  if (v.connExists) {
    const peerDisk: Pair[] = is9 ? [['peer-disk', v.peerDisk], ['peer-client', 'no']] : [['peer-disk', v.peerDisk]];
    const groups: Pair[][] = [[['replication', v.repl]], peerDisk, [['resync-suspended', 'no']]];
    if (is9 && isSyncing(v.repl) && v.syncDone !== null) groups.push([['done', v.syncDone.toFixed(2)]]);
    objects.push({
      type: 'peer-device',
      id: [...connId, ['volume', '0']],
      groups,
      stats: [['received', String(v.received)], ['sent', String(v.sent)], ['out-of-sync', String(v.oosKiB)],
        ['pending', '0'], ['unacked', '0']],
      synthetic: !is9 && v.connName === null,
    });
    if (is9) {
      objects.push({
        type: 'path',
        id: [...connId, ['local', v.localAddress], ['peer', v.peerAddress]],
        groups: [[['established', yn(v.established)]]],
        stats: [],
      });
    }
  }
  return objects;
}

const pairs = (ps: readonly Pair[]): string => ps.map(([k, val]) => `${k}:${val}`).join(' ');

// One object's full line (without the action word).
export function objectLine(o: EventObject, statistics: boolean): string {
  const keys = o.groups.flat();
  // Resource statistics (write-ordering) come before may_promote in 9.
  if (statistics && o.type === 'resource' && keys.length > 3) {
    return `${o.type} ${pairs(o.id)} ${pairs(keys.slice(0, 3))} ${pairs(o.stats)} ${pairs(keys.slice(3))}`;
  }
  return `${o.type} ${pairs(o.id)} ${pairs(keys)}${statistics && o.stats.length ? ` ${pairs(o.stats)}` : ''}`;
}

// drbdsetup events2 --now: one "exists" line per object, then "exists -".
export function renderEventsNow(views: readonly NodeView[], opts: {statistics: boolean; timestamp?: string}): string {
  const prefix = opts.timestamp ? `${opts.timestamp} ` : '';
  const lines: string[] = [];
  for (const v of views) for (const o of eventObjects(v)) lines.push(`${prefix}exists ${objectLine(o, opts.statistics)}`);
  lines.push(`${prefix}exists -`);
  return lines.map((l) => `${l}\n`).join('');
}

const objectKey = (o: EventObject): string => `${o.type} ${pairs(o.id)}`;

// The create/change/destroy lines that turn `before` into `after` (no statistics).
export function diffEvents(before: readonly EventObject[], after: readonly EventObject[]): string[] {
  const lines: string[] = [];
  const old = new Map(before.filter((o) => !o.synthetic).map((o) => [objectKey(o), o]));
  const now = new Map(after.filter((o) => !o.synthetic).map((o) => [objectKey(o), o]));
  // Destroy children before parents, as the kernel does.
  const destroyed = [...old.values()].filter((o) => !now.has(objectKey(o)));
  const order = ['path', 'peer-device', 'device', 'connection', 'resource'];
  destroyed.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  for (const o of destroyed) lines.push(`destroy ${o.type} ${pairs(o.id)}`);
  for (const o of after) {
    if (o.synthetic) continue;
    const previous = old.get(objectKey(o));
    if (!previous) {
      lines.push(`create ${objectLine(o, false)}`);
      continue;
    }
    const changed = o.groups.filter((g, i) => pairs(g) !== pairs(previous.groups[i] ?? []));
    if (changed.length > 0) lines.push(`change ${o.type} ${pairs(o.id)} ${pairs(changed.flat())}`);
  }
  return lines;
}

// A helper call or response line (8.4 adds the minor).
export function helperEventLine(v: NodeView, helper: string, status: number | null, deviceLevel: boolean): string {
  const action = status === null ? 'call' : 'response';
  const conn = v.connName === null ? `peer-node-id:${v.peerNodeId}` : `peer-node-id:${v.peerNodeId} conn-name:${v.connName}`;
  const vol = deviceLevel ? (v.flavor === '8.4' ? ` volume:0 minor:${v.minor}` : ' volume:0') : '';
  return `${action} helper name:${v.resource} ${conn}${vol} helper:${helper}${status === null ? '' : ` status:${status}`}`;
}
