import {realpathSync, statSync} from 'node:fs';
import {ConfigError} from '../../lib/ocf';
import {blockDeviceNumber, readMountinfo, visibleMountAt, type MountEntry} from '../../lib/sys/mountinfo';
import {resolveDevice, resolveDeviceSync} from './device';
import {isBindMount, mountPoint, parseDeviceSpec, type Ctx, type Params} from './params';

// What the directory shows: this resource's filesystem, nothing, or another one.
export type MountState =
  | {kind: 'mounted'; mount: MountEntry; device: string}
  | {kind: 'absent'}
  | {kind: 'foreign'; mount: MountEntry; reason: string};

// The directory as the mount table shows it: trailing slash dropped,
// symlinks resolved (Filesystem's readlink -f). Throws ConfigError when that is /.
export function directoryOf(ctx: Pick<Ctx, 'params'>): string {
  let dir = mountPoint(ctx.params.directory);
  try {
    dir = realpathSync(dir);
  } catch {
    // not there yet: start creates it
  }
  if (dir === '/') throw new ConfigError(`directory=${ctx.params.directory} is /, which cannot be managed`);
  return dir;
}

const sameFile = (a: string, b: string): boolean => {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
};

// Is the mount this resource's? Devices are compared by major:minor, not by
// name (udev renames devices and /dev/disk/by-* are links; PR #2138): the
// mount's own device number, or that of its source where the filesystem
// reports an anonymous one (btrfs). A bind mount is ours when the directory
// is the device directory itself (same inode).
export function classifyMount(p: Params, mount: MountEntry | undefined, device: string | undefined): MountState {
  if (!mount) return {kind: 'absent'};
  const shown = `${mount.source} (${mount.devno}, ${mount.fstype})`;
  if (device === undefined) return {kind: 'foreign', mount, reason: `${mount.mountPoint} has ${shown} mounted and device ${p.device} is missing`};
  if (isBindMount(p)) {
    return sameFile(mount.mountPoint, device)
      ? {kind: 'mounted', mount, device}
      : {kind: 'foreign', mount, reason: `${mount.mountPoint} has ${shown} mounted, not a bind mount of ${device}`};
  }
  const devno = blockDeviceNumber(device);
  if (devno === undefined) return {kind: 'foreign', mount, reason: `${mount.mountPoint} has ${shown} mounted and ${device} is not a block device`};
  if (devno === mount.devno || (mount.source.startsWith('/') && blockDeviceNumber(mount.source) === devno)) {
    return {kind: 'mounted', mount, device};
  }
  return {kind: 'foreign', mount, reason: `${mount.mountPoint} has ${shown} mounted, not ${device} (${devno})`};
}

// The state read in-process: /proc/self/mountinfo and stat, no fork. Undefined
// when the device is a tag without a udev link, for which observeMount asks blkid.
export function observeMountSync(ctx: Ctx, entries = readMountinfo()): MountState | undefined {
  const mount = visibleMountAt(entries, directoryOf(ctx));
  if (!mount) return {kind: 'absent'};
  const device = resolveDeviceSync(ctx.params.device);
  if (device === undefined && parseDeviceSpec(ctx.params.device)?.kind === 'tag') return undefined;
  return classifyMount(ctx.params, mount, device);
}

export async function observeMount(ctx: Ctx, entries = readMountinfo()): Promise<MountState> {
  const mount = visibleMountAt(entries, directoryOf(ctx));
  return observeMountSync(ctx, entries) ?? classifyMount(ctx.params, mount, await resolveDevice(ctx));
}
