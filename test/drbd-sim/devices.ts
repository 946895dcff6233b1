// A node's DRBD device is its own image on a loop device while the minor
// exists: `losetup -f --show --sizelimit`, a stable symlink
// <state>/dev/<node>/drbd<minor> to it, read-only while Secondary
// (`blockdev --setro`), page cache dropped after the simulator wrote the image
// behind its back (`blockdev --flushbufs`).
import {spawnSync} from 'node:child_process';
import {closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync,
  rmSync, symlinkSync, writeSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {basename, dirname} from 'node:path';
import {findDeviceHolders} from '../../lib/sys/holders';

const TOOL_TIMEOUT_MS = 20_000;

function run(file: string, args: readonly string[]): {status: number; stdout: string; stderr: string} {
  const r = spawnSync(file, args, {encoding: 'utf8', timeout: TOOL_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe']});
  return {status: r.status ?? (r.error ? 127 : 1), stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? ''};
}

// Attaches an image to a free loop device limited to `sizeKiB`; returns /dev/loopN.
export function attachLoop(image: string, sizeKiB: number): string {
  const r = run('losetup', ['-f', '--show', '--sizelimit', String(sizeKiB * 1024), image]);
  if (r.status !== 0) throw new Error(`losetup ${image}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

// Detaches a loop device (the kernel defers it while the device is still open).
export function detachLoop(loop: string): void {
  run('losetup', ['-d', loop]);
}

// Loop devices currently backed by `image` (losetup -j).
export function loopsOf(image: string): string[] {
  const r = run('losetup', ['-j', image]);
  return r.stdout.split('\n').map((l) => l.split(':')[0]?.trim() ?? '').filter((l) => l.startsWith('/dev/loop'));
}

// Makes the device read-only (Secondary) or writable (Primary).
export function setReadOnly(loop: string, readOnly: boolean): void {
  run('blockdev', [readOnly ? '--setro' : '--setrw', loop]);
}

// Drops the device's cached pages after its image changed underneath.
export function flushBuffers(loop: string): void {
  run('blockdev', ['--flushbufs', loop]);
}

// Points <dev> at the loop device (replacing an old link).
export function linkDevice(device: string, loop: string): void {
  mkdirSync(dirname(device), {recursive: true});
  rmSync(device, {force: true});
  symlinkSync(loop, device);
}

// Removes the device link.
export function unlinkDevice(device: string): void {
  try {
    if (lstatSync(device).isSymbolicLink()) rmSync(device, {force: true});
  } catch {
    // already gone
  }
}

// Whether the device is in use: mounted or claimed (O_EXCL open fails with
// EBUSY) or open in any process of this PID namespace.
export function deviceInUse(loop: string): boolean {
  try {
    const fd = openSync(loop, constants.O_RDONLY | constants.O_EXCL);
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EBUSY') return true;
  }
  // The /proc scan the drbd agent uses to name holders (the simulator itself excepted).
  return findDeviceHolders(loop).processes.some((p) => p.pid !== process.pid);
}

export interface LoopIo {
  readSectors: number;
  writeSectors: number;
}

// Sectors read and written through the loop device since it was attached.
export function loopIo(loop: string): LoopIo {
  try {
    const fields = readFileSync(`/sys/block/${basename(loop)}/stat`, 'utf8').trim().split(/\s+/).map(Number);
    return {readSectors: fields[2] ?? 0, writeSectors: fields[6] ?? 0};
  } catch {
    return {readSectors: 0, writeSectors: 0};
  }
}

// Writes `kib` KiB of random data at byte `offset` through the device and fsyncs it.
export function writeRandom(device: string, offset: number, kib: number): void {
  const fd = openSync(device, 'r+');
  try {
    const chunk = 64 * 1024;
    let left = kib * 1024;
    let position = offset;
    while (left > 0) {
      const data = randomBytes(Math.min(chunk, left));
      let done = 0;
      while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
      position += data.length;
      left -= data.length;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
