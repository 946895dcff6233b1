import {constants} from 'node:os';
import {normalize} from 'node:path';
import type {ActionContext, ParameterValues} from '../../lib/ocf';

export const parameters = {
  device: {
    type: 'string',
    required: true,
    unique: true,
    shortdesc: 'Block device',
    longdesc:
      'The block device to mount (/dev/drbd0, /dev/disk/by-id/…), or UUID=…, LABEL=…, PARTUUID=… or PARTLABEL=…, found through /dev/disk/by-uuid, by-label, by-partuuid, by-partlabel (blkid where udev made no such links). For fstype none (a bind mount) the directory to bind.',
  },
  directory: {
    type: 'path',
    required: true,
    unique: true,
    shortdesc: 'Mount point',
    longdesc: 'Where to mount the filesystem; created (with missing parents) at start. A trailing slash is ignored. / cannot be managed.',
  },
  fstype: {
    type: 'string',
    required: true,
    shortdesc: 'Filesystem type',
    longdesc: 'As mount -t takes it (ext4, xfs, …); it must be in /proc/filesystems (modprobe is tried first). none: a bind mount of the directory given as device.',
  },
  options: {
    type: 'string',
    shortdesc: 'Mount options',
    longdesc: 'Passed to mount -o as one argument (noatime,data=ordered). bind or rbind makes a bind mount.',
  },
  run_fsck: {
    type: 'enum',
    values: ['auto', 'force', 'no'],
    default: 'auto',
    shortdesc: 'When to check the filesystem before mounting',
    longdesc:
      'auto: run fsck -a before mounting, except for journaling, network and cluster filesystems (ext3, ext4, xfs, btrfs, jfs, reiserfs, nfs, gfs2, ocfs2, …) whose own recovery suffices; force: always; no: never. An fsck exit status of 4 or more (errors left uncorrected) fails the start.',
  },
  force_unmount: {
    type: 'enum',
    values: ['true', 'safe', 'false'],
    // safe, not true (the same here): lib/ocf/metadata renders a string
    // default "true" as a bare XML attribute, which the DTD rejects.
    default: 'safe',
    shortdesc: 'Stop the processes that keep the filesystem busy',
    longdesc:
      'safe or true (the same here: both avoid fuser, unlike Filesystem true): when a plain umount finds the filesystem busy, find its users by reading /proc (working directory, root, executable, open files and mapped files on this mount; never fuser, never a process outside the mount, never the agent or pid 1), send them term_signal for up to half the stop timeout, then kill_signal for the rest, retrying umount in between. false: signal nothing and fail, naming the processes that hold it.',
  },
  term_signal: {
    type: 'string',
    default: 'TERM',
    shortdesc: 'First signal for the users of a busy filesystem',
    longdesc: 'Signal name (TERM, SIGTERM, INT, …) or number sent first to the processes keeping the filesystem busy.',
  },
  kill_signal: {
    type: 'string',
    default: 'KILL',
    shortdesc: 'Signal for users that survive term_signal',
    longdesc: 'Signal name or number sent once half of the stop timeout is spent.',
  },
  signal_delay: {
    type: 'duration',
    default: '1s',
    shortdesc: 'Longest wait after signalling before umount is tried again',
    longdesc: 'After each round of signals the agent waits until the signalled processes have exited, at most this long, then tries umount again.',
  },
  statusfile_prefix: {
    type: 'string',
    default: '.hacloud_fs_status/',
    shortdesc: 'Status file of the depth-20 monitor',
    longdesc:
      'The depth-20 monitor writes, syncs, reads back and removes <directory>/<statusfile_prefix><instance>_<node>; a prefix ending in / is a directory (created when missing). Relative, without .. components.',
  },
} as const;

export type Params = ParameterValues<typeof parameters>;
export type Ctx = ActionContext<typeof parameters>;

// The mount point as mountinfo shows it: normalised, no trailing slash.
export function mountPoint(directory: string): string {
  const path = normalize(directory);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

// fstype none, or a bind/rbind option: device is a directory, not a block device.
export const isBindMount = (p: Pick<Params, 'fstype' | 'options'>): boolean =>
  p.fstype === 'none' || (p.options ?? '').split(',').some((o) => o === 'bind' || o === 'rbind');

// A signal given as TERM, SIGTERM or 15 → the number; undefined when unknown.
export function parseSignal(text: string): number | undefined {
  const name = text.trim().toUpperCase();
  if (/^\d+$/.test(name)) {
    const number = Number(name);
    return Object.values(constants.signals).includes(number) ? number : undefined;
  }
  const signals = constants.signals as Record<string, number>;
  return signals[name.startsWith('SIG') ? name : `SIG${name}`];
}

const TAG = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.+)$/;

// device as given: a path, or a tag to look up.
export type DeviceSpec = {kind: 'path'; path: string} | {kind: 'tag'; tag: string; value: string};

export function parseDeviceSpec(device: string): DeviceSpec | undefined {
  const tag = TAG.exec(device);
  if (tag) return {kind: 'tag', tag: tag[1] as string, value: tag[2] as string};
  return device.startsWith('/') ? {kind: 'path', path: device} : undefined;
}

// Problems with the values themselves (exit 6; a stop succeeds and a probe reports 7).
export function checkSyntax(p: Params): string[] {
  const problems: string[] = [];
  const spec = parseDeviceSpec(p.device);
  if (p.device !== p.device.trim()) problems.push(`device=${JSON.stringify(p.device)} has leading or trailing white space`);
  else if (!spec) problems.push(`device=${p.device} is neither an absolute path nor UUID=, LABEL=, PARTUUID=, PARTLABEL=`);
  else if (spec.kind === 'tag' && isBindMount(p)) problems.push(`a bind mount needs a directory as device, not ${p.device}`);
  if (mountPoint(p.directory) === '/') problems.push('directory=/ cannot be managed');
  if (!/^[a-z0-9][a-z0-9._+-]*$/i.test(p.fstype)) problems.push(`fstype=${p.fstype} is not a filesystem type`);
  if (p.options !== undefined && /[\s]/.test(p.options)) problems.push(`options=${JSON.stringify(p.options)} contains white space`);
  for (const name of ['term_signal', 'kill_signal'] as const) {
    if (parseSignal(p[name]) === undefined) problems.push(`${name}=${p[name]} is not a signal`);
  }
  const prefix = p.statusfile_prefix;
  if (prefix.startsWith('/') || prefix.split('/').includes('..')) {
    problems.push(`statusfile_prefix=${prefix} must be relative to the directory, without ..`);
  }
  return problems;
}
