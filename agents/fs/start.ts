import {readFileSync, statSync} from 'node:fs';
import {GenericError, NotInstalledError, OCF, PermError} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import {ensureDirectory} from '../../lib/sys/directories';
import {describeFailure, run} from '../../lib/sys/exec';
import {blockDeviceNumber, mountPointsOf, mountsBelow, readMountinfo, visibleMountAt} from '../../lib/sys/mountinfo';
import {resolveDevice} from './device';
import {checkFilesystem, wantsFsck} from './fsck';
import {classifyMount, directoryOf} from './mount-state';
import {isBindMount, type Ctx} from './params';

export async function start(ctx: Ctx) {
  if (process.geteuid?.() !== 0) throw new PermError('start must run as root');
  const p = ctx.params;
  const dir = directoryOf(ctx);
  const bind = isBindMount(p);
  const mount = requireBinary(ctx, 'mount');
  if (!bind) await requireFilesystemType(ctx, p.fstype);
  const device = await requireDevice(ctx, bind);

  const entries = readMountinfo();
  const state = classifyMount(p, visibleMountAt(entries, dir), device);
  if (state.kind === 'mounted') {
    ctx.log.info(`${device} is already mounted on ${dir}`);
    return OCF.SUCCESS;
  }
  if (state.kind === 'foreign') throw new GenericError(`cannot mount ${device}: ${state.reason}`);
  if (!bind) {
    const elsewhere = mountPointsOf(entries, blockDeviceNumber(device) as string);
    if (elsewhere.length > 0) throw new GenericError(`${device} is already mounted on ${elsewhere.join(', ')}`);
  }
  // Something mounted below an unmounted directory would be hidden by the
  // mount and then keep it busy at stop: refuse, as Filesystem does.
  const below = mountsBelow(entries, dir);
  if (below.length > 0) {
    throw new GenericError(`${dir} is not mounted but has ${below.map((m) => m.mountPoint).join(', ')} mounted below it; unmount them first`);
  }

  if (!bind && wantsFsck(p.run_fsck, p.fstype)) await checkFilesystem(ctx, device);
  try {
    ensureDirectory(dir);
  } catch (error) {
    throw new GenericError(`cannot create mount point ${dir}: ${(error as Error).message}`);
  }
  const result = await run(mount, mountArgs(ctx, device, dir), {deadline: ctx.deadline});
  if (!result.ok) throw new GenericError(describeFailure(result));

  const after = classifyMount(p, visibleMountAt(readMountinfo(), dir), device);
  if (after.kind !== 'mounted') {
    throw new GenericError(after.kind === 'foreign' ? `mount reported success but ${after.reason}` : `mount reported success but ${dir} is not mounted`);
  }
  ctx.log.info(`mounted ${device} on ${dir} (${after.mount.fstype}, ${after.mount.options})`);
  return OCF.SUCCESS;
}

// mount -t fstype [-w] [-o options] device dir; a bind mount: mount -o bind[,options] dir dir.
// -w unless ro is asked for: mount(8) otherwise falls back to read-only on a
// write-protected device (a DRBD or loop device set read-only) and reports success.
export function mountArgs(ctx: Pick<Ctx, 'params'>, device: string, dir: string): string[] {
  const p = ctx.params;
  const options = (p.options ?? '').split(',').filter(Boolean);
  if (!isBindMount(p)) return ['-t', p.fstype, ...(options.includes('ro') ? [] : ['-w']), ...(p.options ? ['-o', p.options] : []), device, dir];
  if (!options.includes('bind') && !options.includes('rbind')) options.unshift('bind');
  return ['-o', options.join(','), device, dir];
}

export function requireBinary(ctx: Ctx, name: string): string {
  const path = findBinary(name, ctx.env.raw);
  if (!path) throw new NotInstalledError(`${name} (util-linux) not found`);
  return path;
}

// The device, there and of the right kind: a block device, or a directory to bind.
export async function requireDevice(ctx: Ctx, bind: boolean): Promise<string> {
  const device = await resolveDevice(ctx);
  if (!device) throw new NotInstalledError(`device ${ctx.params.device} not found`);
  let kind: 'block' | 'directory' | 'other' = 'other';
  try {
    const stat = statSync(device);
    kind = stat.isBlockDevice() ? 'block' : stat.isDirectory() ? 'directory' : 'other';
  } catch {
    throw new NotInstalledError(`device ${ctx.params.device} not found`);
  }
  if (bind && kind !== 'directory') throw new NotInstalledError(`${device} is not a directory to bind`);
  if (!bind && kind !== 'block') throw new NotInstalledError(`${device} is not a block device`);
  return device;
}

const kernelFilesystems = (): string[] => {
  try {
    return readFileSync('/proc/filesystems', 'utf8').split('\n').map((l) => l.split('\t').at(-1)?.trim() ?? '');
  } catch {
    return [];
  }
};

// The kernel must know the type: /proc/filesystems, after modprobe if needed
// (fuse.sshfs needs fuse). Missing: 5, another node may have it.
export async function requireFilesystemType(ctx: Ctx, fstype: string): Promise<void> {
  const base = fstype.split('.')[0] as string;
  if (kernelFilesystems().includes(base)) return;
  const modprobe = findBinary('modprobe', ctx.env.raw);
  if (modprobe) {
    const result = await run(modprobe, ['-q', '--', base], {deadline: ctx.deadline.slice({ms: 10_000})});
    if (!result.ok) ctx.log.debug(describeFailure(result));
    if (kernelFilesystems().includes(base)) return;
  }
  throw new NotInstalledError(`filesystem type ${fstype} is not supported by this kernel (not in /proc/filesystems)`);
}
