// The small renderings: drbdadm --version, drbdsetup sh-status (8.4),
// /proc/drbd, and the role/cstate/dstate one-liners.
import {KERNEL_84, KERNEL_9, UTILS} from '../types';
import type {Flavor} from '../types';
import type {NodeView} from '../view';
import {isSyncing} from '../view';

const BUILDTAG = 'GIT-hash:\\ drbd-sim\\ build\\ by\\ drbd-sim';

// drbdadm --version (env-style lines; kernel code 0 without a module).
export function renderVersion(flavor: Flavor, moduleLoaded: boolean): string {
  const kernel = flavor === '8.4' ? KERNEL_84 : KERNEL_9;
  const code = moduleLoaded ? kernel.code : 0;
  const hex = (n: number): string => `0x${n.toString(16).padStart(6, '0')}`;
  return [
    `DRBDADM_BUILDTAG=${BUILDTAG}`,
    `DRBDADM_API_VERSION=${moduleLoaded && flavor === '8.4' ? 1 : 2}`,
    `DRBD_KERNEL_VERSION_CODE=${hex(code)}`,
    `DRBD_KERNEL_VERSION=${moduleLoaded ? kernel.version : ''}`,
    `DRBDADM_VERSION_CODE=${hex(UTILS.code)}`,
    `DRBDADM_VERSION=${UTILS.version}`,
    '',
  ].join('\n');
}

// drbdsetup sh-status <res> (8.4, as observed: three newlines at the end).
export function renderShStatus(v: NodeView): string {
  const syncing = isSyncing(v.repl) && v.syncDone !== null;
  return [
    `_minor=${v.minor}`,
    `_res_name=${v.resource}`,
    '_volume=0',
    `_known=${v.up ? 'Configured' : 'Unconfigured'}`,
    '',
    `_cstate=${v.up ? v.cstate84 : 'Unconfigured'}`,
    `_role=${v.up ? v.role : ''}`,
    `_peer=${v.up ? v.peerRole : ''}`,
    `_disk=${v.up ? v.disk : ''}`,
    `_pdsk=${v.up ? v.peerDisk : ''}`,
    '',
    `_flags_susp=${v.suspended !== 'no' ? '1' : ''}`,
    '_flags_aftr_isp=',
    '_flags_peer_isp=',
    '_flags_user_isp=',
    '',
    `_resynced_percent=${syncing ? (v.syncDone ?? 0).toFixed(1) : ''}`,
    '',
    '_sh_status_process',
    '',
    '',
    '',
  ].join('\n');
}

// /proc/drbd: 8.4 lists each configured minor; 9 shows only the version.
export function renderProcDrbd(flavor: Flavor, views: readonly NodeView[]): string {
  if (flavor === '9') {
    return `version: ${KERNEL_9.version} (api:${KERNEL_9.api}/proto:${KERNEL_9.proto})\n`
      + 'GIT-hash: drbd-sim build by drbd-sim\nTransports (api:18): tcp (9.2.12)\n';
  }
  const lines = [`version: ${KERNEL_84.version} (api:${KERNEL_84.api}/proto:${KERNEL_84.proto})`, 'srcversion: F73C670A7EC572DB9CF3E5B '];
  for (const v of views) {
    if (!v.up) continue;
    if (v.disk === 'Diskless' && v.connName === null && v.role === 'Secondary') {
      lines.push(`${String(v.minor).padStart(2, ' ')}: cs:Unconfigured`);
      continue;
    }
    const protocol = v.connName === null ? ' ' : 'C';
    const flags = `${v.suspended !== 'no' ? 's' : 'r'}-----`;
    lines.push(`${String(v.minor).padStart(2, ' ')}: cs:${v.cstate84} ro:${v.role}/${v.peerRole} ds:${v.disk}/${v.peerDisk} ${protocol} ${flags}`);
    lines.push(`    ns:${v.sent} nr:${v.received} dw:${v.written} dr:${v.read} al:${v.alWrites} bm:${v.bmWrites} lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:${v.oosKiB}`);
  }
  return `${lines.join('\n')}\n`;
}

// drbdadm role: 8.4 "Primary/Secondary" (or Unconfigured), 9 the local role only.
export function renderRole(v: NodeView): string {
  if (v.flavor === '9') return `${v.role}\n`;
  if (v.disk === 'Diskless' && v.connName === null) return 'Unconfigured\n';
  return `${v.role}/${v.peerRole}\n`;
}

// drbdadm cstate: 8.4's combined state, 9 the connection state.
export function renderCstate(v: NodeView): string {
  if (v.flavor === '9') return `${v.conn}\n`;
  if (v.disk === 'Diskless' && v.connName === null) return 'Unconfigured\n';
  return `${v.cstate84}\n`;
}

// drbdadm dstate: local/peer disk states.
export const renderDstate = (v: NodeView): string => `${v.disk}/${v.peerDisk}\n`;
