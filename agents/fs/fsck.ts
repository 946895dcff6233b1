import {GenericError, NotInstalledError} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import {run} from '../../lib/sys/exec';
import type {Ctx} from './params';

// Filesystems whose own recovery (journal replay, log, server side) makes a
// check before mounting pointless: resource-agents Filesystem's list, plus
// btrfs (fsck.btrfs does nothing).
const NO_FSCK = new Set([
  'ext3', 'ext4', 'ext4dev', 'xfs', 'btrfs', 'jfs', 'reiserfs', 'reiser4', 'nss', 'vfat', 'fat', 'zfs',
  'nfs', 'nfs4', 'efs', 'cifs', 'smbfs', 'ocfs2', 'gfs2', 'glusterfs', 'ceph', 'lustre', 'tmpfs', 'overlay', 'none',
]);

// Should start run fsck, by run_fsck (auto, force, no) and the type?
export function wantsFsck(policy: string, fstype: string): boolean {
  if (policy === 'force') return true;
  if (policy === 'no') return false;
  return !NO_FSCK.has(fstype);
}

// fsck's exit status: bits 1 (errors corrected) and 2 (reboot suggested) are
// fine to mount; 4 and above (uncorrected, operational error, cancelled) are not.
export const fsckFailed = (exitCode: number | undefined): boolean => exitCode === undefined || exitCode >= 4;

// Runs fsck -a (repair what is safe, ask nothing) on the unmounted device.
export async function checkFilesystem(ctx: Ctx, device: string): Promise<void> {
  const fsck = findBinary('fsck', ctx.env.raw);
  if (!fsck) throw new NotInstalledError('fsck (util-linux) not found');
  ctx.log.info(`running fsck -a on ${device} (${ctx.params.fstype}, run_fsck=${ctx.params.run_fsck})`);
  const result = await run(fsck, ['-T', '-t', ctx.params.fstype, '-a', device], {deadline: ctx.deadline});
  const output = `${result.stdout}\n${result.stderr}`.trim();
  if (result.timedOut) throw new GenericError(`fsck of ${device} did not finish within the start timeout`);
  if (fsckFailed(result.exitCode)) {
    const tail = output.split('\n').filter(Boolean).slice(-3).join('; ');
    throw new GenericError(`fsck of ${device} failed (exit ${result.exitCode ?? '?'}): ${tail || 'no output'}`);
  }
  if (output) ctx.log.info(`fsck ${device}: ${output.split('\n').slice(-3).join('; ')}`);
  ctx.log.info(`fsck of ${device} finished with exit ${result.exitCode}${result.exitCode === 1 ? ' (errors corrected)' : ''}`);
}
