// Where the simulator keeps its state, and the exclusive lock that makes a
// command's two-node transition atomic. The lock is flock(2) on
// <state>/lock, taken by a short `flock` child on an inherited descriptor:
// the lock belongs to the open file description, so it stays held by this
// process after the child exits and is released by the kernel when this
// process ends, however it ends (no stale locks, no pid checks across PID
// namespaces).
import {spawnSync} from 'node:child_process';
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import type {SimState} from './types';

export const DEFAULT_STATE_DIR = '/var/lib/drbd-sim';
const LOCK_WAIT_S = 60;

export interface Env {
  node: string;
  stateDir: string;
  // Set in handlers the simulator runs: the parent holds the lock, the
  // child may only read.
  nested: boolean;
}

// FAKE_DRBD_NODE (default: the host name) and FAKE_DRBD_STATE (default /var/lib/drbd-sim).
export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  return {
    node: env.FAKE_DRBD_NODE || hostname(),
    stateDir: env.FAKE_DRBD_STATE || DEFAULT_STATE_DIR,
    nested: env.FAKE_DRBD_NESTED === '1',
  };
}

// Paths inside the state directory: the state file, images and base copies,
// device links, logs, /proc renderings, the drbd.conf rendering.
export const statePath = (dir: string): string => join(dir, 'cluster.json');
export const imagePath = (dir: string, res: string, node: string): string => join(dir, 'img', res, `${node}.img`);
export const basePath = (dir: string, res: string, node: string): string => join(dir, 'img', res, `${node}.base`);
export const devDir = (dir: string, node: string): string => join(dir, 'dev', node);
export const devicePath = (dir: string, node: string, minor: number): string => join(devDir(dir, node), `drbd${minor}`);
export const kernelLogPath = (dir: string, node: string): string => join(dir, 'log', `${node}.kern.log`);
export const eventsLogPath = (dir: string, node: string): string => join(dir, 'log', `${node}.events`);
export const procDrbdPath = (dir: string, node: string): string => join(dir, 'proc', node, 'drbd');
export const configPath = (dir: string): string => join(dir, 'drbd.conf');

// Whether a simulator state exists in the directory.
export const stateExists = (dir: string): boolean => existsSync(statePath(dir));

// Reads the state; undefined when the directory holds none.
export function loadState(dir: string): SimState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as SimState;
}

// Writes the state under a temporary name and renames it into place.
export function saveState(dir: string, state: SimState): void {
  mkdirSync(dir, {recursive: true});
  const temporary = `${statePath(dir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(temporary, statePath(dir));
}

export interface Lock {
  release(): void;
}

// Takes the exclusive lock on the state directory, waiting at most LOCK_WAIT_S.
export function acquireLock(dir: string): Lock {
  mkdirSync(dir, {recursive: true});
  const fd = openSync(join(dir, 'lock'), 'a', 0o600);
  const result = spawnSync('flock', ['-x', '-w', String(LOCK_WAIT_S), '3'], {stdio: ['ignore', 'ignore', 'pipe', fd]});
  if (result.status !== 0) {
    closeSync(fd);
    const why = result.error ? result.error.message : `flock exited ${result.status}: ${String(result.stderr ?? '').trim()}`;
    throw new Error(`fake-drbd: could not lock ${dir} within ${LOCK_WAIT_S} s (${why})`);
  }
  let held = true;
  return {release: () => { if (held) { held = false; closeSync(fd); } }};
}
