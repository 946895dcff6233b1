// Real filesystems on loop devices for the fs agent's tests: images under
// /var/tmp/hct-fs-* (the machine gives some processes a private /tmp),
// made with mkfs, attached with losetup; cleanup unmounts everything below
// the base directory, detaches the loops and removes the files, whatever
// state a failed test left.
import {execa} from 'execa';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';

export interface LoopFs {
  image: string;
  device: string;
}

export interface LoopLab {
  base: string;
  // A new image of `sizeMiB` with `mkfs` (mkfs.ext4 -q by default), attached read-write.
  create(name: string, options?: {sizeMiB?: number; mkfs?: string[]}): Promise<LoopFs>;
  // Unmounts below base, detaches every loop made here, removes base.
  cleanup(): Promise<void>;
}

const TIMEOUT = {timeout: 30_000};

// Mount points below `dir` in this namespace, deepest first.
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.split('/').length - a.split('/').length);
}

export const isMounted = (dir: string): boolean => mountsUnder(dir).includes(dir);

export function createLoopLab(prefix: string): LoopLab {
  const base = mkdtempSync(join('/var/tmp', `hct-fs-${prefix}-`));
  const loops: LoopFs[] = [];
  return {
    base,
    async create(name, {sizeMiB = 32, mkfs = ['mkfs.ext4', '-q']} = {}) {
      const image = join(base, `${name}.img`);
      await execa('truncate', ['-s', `${sizeMiB}M`, image], TIMEOUT);
      await execa(mkfs[0] as string, [...mkfs.slice(1), image], TIMEOUT);
      const {stdout} = await execa('losetup', ['--find', '--show', image], TIMEOUT);
      const loop = {image, device: stdout.trim()};
      loops.push(loop);
      // A loop device may keep the read-only flag another test set on it (blockdev --setro).
      await execa('blockdev', ['--setrw', loop.device], TIMEOUT);
      return loop;
    },
    async cleanup() {
      for (const point of mountsUnder(base)) {
        const plain = await execa('umount', [point], {...TIMEOUT, reject: false});
        if (plain.exitCode !== 0) await execa('umount', ['-l', point], {...TIMEOUT, reject: false});
      }
      // Only the loops still attached to our images: a device number may have been reused since.
      for (const {image} of loops) {
        const attached = await execa('losetup', ['-j', image], {...TIMEOUT, reject: false});
        for (const line of String(attached.stdout).split('\n')) {
          const device = line.split(':')[0]?.trim();
          if (device?.startsWith('/dev/loop')) await execa('losetup', ['-d', device], {...TIMEOUT, reject: false});
        }
      }
      rmSync(base, {recursive: true, force: true});
    },
  };
}
