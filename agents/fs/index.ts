import {NotInstalledError, defineAgent} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import {wantsFsck} from './fsck';
import {monitor} from './monitor';
import {checkSyntax, isBindMount, parameters, type Ctx} from './params';
import {requireBinary, requireDevice, requireFilesystemType, start} from './start';
import {stop} from './stop';

export const fs = defineAgent({
  name: 'fs',
  version: '0.1.0',
  shortdesc: 'Local filesystem mount (ext4, xfs, … on DRBD or any block device)',
  longdesc:
    'Mounts a filesystem on one node; replaces ocf:heartbeat:Filesystem for local (non-cluster) filesystems. ' +
    'Start checks the device, the kernel filesystem type and the mount table (the device mounted nowhere else, nothing mounted below the directory), runs fsck per run_fsck, creates the directory and mounts. ' +
    'Monitor depth 0 reads /proc/self/mountinfo in-process and compares devices by major:minor; depth 10 reads a block of the device with O_DIRECT; depth 20 writes, syncs, reads back and removes a status file. ' +
    'A different filesystem on the directory is a failure (1) for a recurring monitor and not running (7) for a probe. ' +
    'Stop unmounts submounts first, tries a plain umount, and only when busy finds the users of the mount by reading /proc (never fuser) and signals them: term_signal for half the timeout, then kill_signal; it never signals a process outside the mount.',
  parameters,
  checkSyntax,
  checkEnvironment: async (ctx: Ctx) => {
    const bind = isBindMount(ctx.params);
    for (const name of ['mount', 'umount']) requireBinary(ctx, name);
    if (!bind && wantsFsck(ctx.params.run_fsck, ctx.params.fstype) && !findBinary('fsck', ctx.env.raw)) {
      throw new NotInstalledError('fsck (util-linux) not found');
    }
    if (!bind) await requireFilesystemType(ctx, ctx.params.fstype);
    await requireDevice(ctx, bind);
  },
  actions: {
    start: {timeout: 60, run: start},
    stop: {timeout: 60, run: stop},
    monitor: {
      timeout: 40,
      interval: 20,
      depth: 0,
      run: monitor,
      more: [
        {timeout: 40, interval: 61, depth: 10},
        {timeout: 60, interval: 121, depth: 20},
      ],
    },
  },
});
