// drbdsetup status: the text form (wrap_printf at 80 columns, as drbd-utils
// 9.22 and drbdsetup-84 print it; 8.4 omits a connection without net
// config) and the DRBD 9 JSON form (printf-exact to 9.22's
// resource_status_json & co, including the stray space after a
// "connection-state" value and the " ]" closers).
import type {NodeView} from '../view';
import {isSyncing} from '../view';

const COLUMNS = 80;

// drbd-utils' wrap_printf: a token that would pass column 80 starts a new
// line at the given indent; a token printed at column 0 loses its leading space.
class Wrapper {
  private out = '';
  private col = 0;

  print(indent: number, text: string): void {
    if (text === '\n') {
      this.out += '\n';
      this.col = 0;
      return;
    }
    if (this.col > 0 && this.col + text.length > COLUMNS) {
      this.out += '\n';
      this.col = 0;
    }
    let t = text;
    if (this.col === 0) {
      this.out += ' '.repeat(indent);
      this.col = indent;
      t = t.replace(/^ /, '');
    }
    this.out += t;
    this.col += t.length;
  }

  text(): string {
    return this.out;
  }
}

export interface StatusOptions {
  verbose: boolean;
  statistics: boolean;
}

// The text status of one node's resource (ends with a blank line).
export function renderStatusText(v: NodeView, o: StatusOptions): string {
  const w = new Wrapper();
  const is9 = v.flavor === '9';
  w.print(0, v.resource);
  if (o.verbose && is9) w.print(4, ` node-id:${v.nodeId}`);
  w.print(4, ` role:${v.role}`);
  if (o.verbose || v.suspended !== 'no') w.print(4, ` suspended:${v.suspended}`);
  if (is9 && o.verbose) w.print(4, ' force-io-failures:no');
  if (o.statistics && o.verbose) {
    w.print(4, '\n');
    w.print(4, ' write-ordering:flush');
  }
  w.print(0, '\n');

  let indent = 2;
  if (o.verbose) {
    w.print(indent, 'volume:0');
    indent = 6;
    w.print(indent, ` minor:${v.minor}`);
  }
  w.print(indent, `${indent === 2 ? '' : ' '}disk:${v.disk}`);
  indent = 6;
  if (is9 && o.verbose) {
    if (v.disk === 'Diskless') w.print(indent, ' client:no');
    else w.print(indent, ` backing_dev:${v.backingDev}`);
  }
  if (is9 && (o.verbose || !v.quorum)) w.print(indent, ` quorum:${v.quorum ? 'yes' : 'no'}`);
  if (o.statistics) {
    w.print(indent, '\n');
    for (const [k, val] of [['size', v.sizeKiB], ['read', v.read], ['written', v.written], ['al-writes', v.alWrites],
      ['bm-writes', v.bmWrites], ['upper-pending', 0], ['lower-pending', 0]] as const) w.print(indent, ` ${k}:${val}`);
    if (o.verbose) w.print(indent, ' al-suspended:no');
    w.print(indent, ' blocked:no');
  }
  w.print(0, '\n');

  const showConnection = is9 ? v.connExists : v.connName !== null;
  if (showConnection) {
    w.print(2, is9 ? v.peerName : 'peer');
    if (o.verbose && is9) w.print(2, ` node-id:${v.peerNodeId}`);
    if (o.verbose || v.conn !== 'Connected') w.print(6, ` connection:${v.conn}`);
    if (o.verbose || v.conn === 'Connected') w.print(6, ` role:${v.peerRole}`);
    if (o.verbose) w.print(6, ' congested:no');
    if (o.statistics && is9) {
      w.print(6, '\n');
      w.print(6, ' ap-in-flight:0');
      w.print(6, ' rs-in-flight:0');
    }
    w.print(0, '\n');
    if (o.verbose || o.statistics || v.repl !== 'Off') {
      let pi = 4;
      if (o.verbose) {
        w.print(pi, 'volume:0');
        pi = 8;
      }
      if (o.verbose || (v.repl !== 'Off' && v.repl !== 'Established')) {
        w.print(pi, `${pi === 4 ? '' : ' '}replication:${v.repl}`);
        pi = 8;
      }
      w.print(pi, `${pi === 4 ? '' : ' '}peer-disk:${v.peerDisk}`);
      pi = 8;
      if (isSyncing(v.repl) && v.syncDone !== null) w.print(pi, ` done:${v.syncDone.toFixed(2)}`);
      if (o.verbose) w.print(pi, ' resync-suspended:no');
      if (o.statistics) {
        w.print(pi, '\n');
        for (const [k, val] of [['received', v.received], ['sent', v.sent], ['out-of-sync', v.oosKiB], ['pending', 0],
          ['unacked', 0]] as const) w.print(pi, ` ${k}:${val}`);
      }
      w.print(0, '\n');
    }
  }
  w.print(0, '\n');
  return w.text();
}

const b = (x: boolean): string => (x ? 'true' : 'false');

// percent-in-sync: the share of the device not out of sync, %.2f.
export function percentInSync(v: NodeView): string {
  if (v.sizeKiB === 0) return '0.00';
  return ((v.sizeKiB - v.oosKiB) / v.sizeKiB * 100).toFixed(2);
}

// One resource of `drbdsetup status --json` (DRBD 9 only).
export function renderStatusJsonResource(v: NodeView): string {
  const lines: string[] = [
    '{',
    `  "name": "${v.resource}",`,
    `  "node-id": ${v.nodeId},`,
    `  "role": "${v.role}",`,
    `  "suspended": ${b(v.suspended !== 'no')},`,
    '  "suspended-user": false,',
    '  "suspended-no-data": false,',
    `  "suspended-fencing": ${b(v.suspended === 'fencing')},`,
    '  "suspended-quorum": false,',
    '  "force-io-failures": false,',
    '  "write-ordering": "flush",',
    '  "devices": [',
    '    {',
    '      "volume": 0,',
    `      "minor": ${v.minor},`,
    `      "disk-state": "${v.disk}",`,
    '      "client": false,',
    `      "quorum": ${b(v.quorum)},`,
    `      "size": ${v.sizeKiB},`,
    `      "read": ${v.read},`,
    `      "written": ${v.written},`,
    `      "al-writes": ${v.alWrites},`,
    `      "bm-writes": ${v.bmWrites},`,
    '      "upper-pending": 0,',
    '      "lower-pending": 0',
    '    } ],',
    '  "connections": [',
  ];
  if (v.connExists) {
    lines.push(
      '    {',
      `      "peer-node-id": ${v.peerNodeId},`,
      `      "name": "${v.peerName}",`,
      `      "connection-state": "${v.conn}", `,
      '      "congested": false,',
      `      "peer-role": "${v.peerRole}",`,
      '      "ap-in-flight": 0,',
      '      "rs-in-flight": 0,',
      '      "peer_devices": [',
      '        {',
      '          "volume": 0,',
      `          "replication-state": "${v.repl}",`,
      `          "peer-disk-state": "${v.peerDisk}",`,
      '          "peer-client": false,',
      '          "resync-suspended": "no",',
      `          "received": ${v.received},`,
      `          "sent": ${v.sent},`,
      `          "out-of-sync": ${v.oosKiB},`,
      '          "pending": 0,',
      '          "unacked": 0,',
      '          "has-sync-details": false,',
      '          "has-online-verify-details": false,',
      `          "percent-in-sync": ${percentInSync(v)}`,
      '        } ]',
      '    } ]',
    );
  } else {
    lines.push(' ]');
  }
  lines.push('}');
  return lines.join('\n');
}

// drbdsetup status --json: an array of resources, then a blank line.
export function renderStatusJson(views: readonly NodeView[]): string {
  return `[\n${views.map(renderStatusJsonResource).join(',\n')}${views.length ? '\n' : ''}]\n\n`;
}
