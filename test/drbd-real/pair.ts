import {mkdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {execFileSync} from 'node:child_process';
import {DISK_MIB, NODES, type NodeName} from './config';
import {freePort, Guest} from './guest';
import {CACHE, type GuestImage} from './image';

// Two guests joined by one QEMU socket link on 127.0.0.1, each with a fresh
// sparse data disk; everything lives in a run directory removed on close.

export interface Pair {
  guests: Record<NodeName, Guest>;
  runDir: string;
  bootSeconds: number;
  close(): Promise<void>;
}

export async function bootPair(image: GuestImage): Promise<Pair> {
  const runDir = join(CACHE, `run.${process.pid}`);
  rmSync(runDir, {recursive: true, force: true});
  mkdirSync(runDir, {recursive: true});
  for (const node of NODES) execFileSync('truncate', ['-s', `${DISK_MIB}M`, join(runDir, `${node}.img`)]);
  const port = await freePort();
  const guests: Record<NodeName, Guest> = {
    ctl1: new Guest('ctl1', runDir, image, {role: 'listen', port}),
    ctl2: new Guest('ctl2', runDir, image, {role: 'connect', port}),
  };
  const close = async () => {
    await Promise.all(NODES.map((n) => guests[n].stop()));
    rmSync(runDir, {recursive: true, force: true});
  };
  const started = Date.now();
  try {
    await guests.ctl1.start();
    await guests.ctl1.waitListening();
    await guests.ctl2.start();
    await Promise.all(NODES.map((n) => guests[n].must(['true'], 30)));
  } catch (error) {
    await close();
    throw error;
  }
  return {guests, runDir, bootSeconds: (Date.now() - started) / 1000, close};
}
