// Backing images and DRBD's bitmap: sparse image files, the base copy taken
// when a node stops being in sync, 4 KiB block comparison and copying.
import {closeSync, copyFileSync, constants, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync,
  readSync, rmSync, writeSync} from 'node:fs';
import {dirname} from 'node:path';
import {BLOCK} from './types';

const CHUNK_BLOCKS = 256;

// DRBD's usable size for internal meta-data on a disk of `sizeKiB`:
// superblock 4 KiB + activity log 32 KiB + bitmap (1 bit per 4 KiB, 4 KiB aligned).
export function usableKiB(sizeKiB: number): number {
  const bitmapBytes = Math.ceil(sizeKiB / 4 / 8);
  const bitmapKiB = Math.ceil(bitmapBytes / 4096) * 4;
  return sizeKiB - 4 - 32 - bitmapKiB;
}

// Creates (or truncates to size) a sparse image file.
export function createImage(path: string, sizeKiB: number): void {
  mkdirSync(dirname(path), {recursive: true});
  const fd = openSync(path, 'w', 0o600);
  try {
    ftruncateSync(fd, sizeKiB * 1024);
  } finally {
    closeSync(fd);
  }
}

// Copies an image (reflink when the file system can) to `target`.
export function snapshotImage(source: string, target: string): void {
  rmSync(target, {force: true});
  copyFileSync(source, target, constants.COPYFILE_FICLONE);
}

// Block numbers (4 KiB) among the first `blocks` where the two files differ.
export function differingBlocks(a: string, b: string, blocks: number, exclude?: ReadonlySet<number>): number[] {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  const out: number[] = [];
  try {
    const ba = Buffer.allocUnsafe(CHUNK_BLOCKS * BLOCK);
    const bb = Buffer.allocUnsafe(CHUNK_BLOCKS * BLOCK);
    for (let start = 0; start < blocks; start += CHUNK_BLOCKS) {
      const n = Math.min(CHUNK_BLOCKS, blocks - start);
      const ra = readFull(fa, ba, n * BLOCK, start * BLOCK);
      const rb = readFull(fb, bb, n * BLOCK, start * BLOCK);
      if (ra.equals(rb)) continue;
      for (let i = 0; i < n; i++) {
        const block = start + i;
        if (exclude?.has(block)) continue;
        if (!ra.subarray(i * BLOCK, (i + 1) * BLOCK).equals(rb.subarray(i * BLOCK, (i + 1) * BLOCK))) out.push(block);
      }
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
  return out;
}

// Copies the given 4 KiB blocks from one image to another (fsynced).
export function copyBlocks(from: string, to: string, blocks: Iterable<number>): number {
  const fi = openSync(from, 'r');
  const fo = openSync(to, 'r+');
  let count = 0;
  try {
    const buffer = Buffer.alloc(BLOCK);
    for (const block of blocks) {
      const data = readFull(fi, buffer, BLOCK, block * BLOCK);
      writeFull(fo, data, block * BLOCK);
      count++;
    }
    fsyncSync(fo);
  } finally {
    closeSync(fi);
    closeSync(fo);
  }
  return count;
}

// Copies every block of the first `blocks` (a full sync).
export function copyAll(from: string, to: string, blocks: number): void {
  const fi = openSync(from, 'r');
  const fo = openSync(to, 'r+');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BLOCKS * BLOCK);
    for (let start = 0; start < blocks; start += CHUNK_BLOCKS) {
      const n = Math.min(CHUNK_BLOCKS, blocks - start);
      writeFull(fo, readFull(fi, buffer, n * BLOCK, start * BLOCK), start * BLOCK);
    }
    fsyncSync(fo);
  } finally {
    closeSync(fi);
    closeSync(fo);
  }
}

// Whether a file exists.
export const exists = (path: string): boolean => existsSync(path);

// Removes a file if present.
export const removeFile = (path: string): void => rmSync(path, {force: true});

// Size of an open file in bytes.
export const fileSize = (path: string): number => {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
};

function readFull(fd: number, buffer: Buffer, length: number, position: number): Buffer {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) {
      buffer.fill(0, done, length);
      break;
    }
    done += n;
  }
  return buffer.subarray(0, length);
}

function writeFull(fd: number, data: Buffer, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}
