// Running one simulator command against the shared state: lock, load,
// settle the world (replication, handshakes, resync), run, settle again,
// write /proc renderings, save, unlock. Inside a handler the simulator
// runs (FAKE_DRBD_NESTED=1, the parent holds the lock) commands only read.
import {createContext, outOfSyncBlocks, syncDone, writeProcFiles, type Ctx} from '../engine/context';
import {settle} from '../engine/connection';
import {fail, type Output} from '../errors';
import {acquireLock, loadState, saveState, type Env} from '../store';
import type {ResourceState, SimState} from '../types';
import {nodeView, type NodeView} from '../view';

export interface SessionOptions {
  // The command changes state (refused inside a handler).
  mutates: boolean;
  // Run without any simulator state (drbdadm --version, sh-* with no state...).
  allowMissing?: boolean;
}

// Runs `fn` on the locked, settled state and saves the result.
export function withSession(env: Env, opts: SessionOptions, fn: (ctx: Ctx | undefined) => Output): Output {
  if (env.nested) {
    if (opts.mutates) {
      return fail('fake-drbd: a state change from inside a DRBD handler is not simulated\n', 20);
    }
    const state = loadState(env.stateDir);
    if (!state && !opts.allowMissing) return noState(env);
    return fn(state ? createContext(env, state) : undefined);
  }
  const lock = acquireLock(env.stateDir);
  try {
    const state = loadState(env.stateDir);
    if (!state) {
      if (!opts.allowMissing) return noState(env);
      return fn(undefined);
    }
    const ctx = createContext(env, state);
    settle(ctx);
    const out = fn(ctx);
    settle(ctx);
    writeProcFiles(ctx);
    saveState(env.stateDir, ctx.state);
    return out;
  } finally {
    lock.release();
  }
}

function noState(env: Env): Output {
  return fail(`fake-drbd: no simulator state in ${env.stateDir} (run fake-drbd init)\n`, 20);
}

// The full view of a node (with measured out-of-sync blocks).
export const fullView = (ctx: Ctx, rs: ResourceState, node: string): NodeView =>
  nodeView({state: rs, node, stateDir: ctx.env.stateDir, oosBlocks: outOfSyncBlocks(ctx, rs, node), syncDone: syncDone(ctx, rs, node)});

// Resources the node is part of, in name order.
export const resourcesOf = (state: SimState, node: string): ResourceState[] =>
  Object.values(state.resources).filter((rs) => rs.nodes[node]).sort((a, b) => a.config.name.localeCompare(b.config.name));

export interface Resolved {
  rs: ResourceState;
  // "r0:peer" / "r0/0" parts given.
  peer?: string;
}

// Finds a resource by name, "name:peer", "name/vol", "minor-N" or a minor number/device path.
export function findResource(state: SimState | undefined, arg: string, stateDir?: string): Resolved | undefined {
  if (!state) return undefined;
  let name = arg;
  let peer: string | undefined;
  const colon = name.indexOf(':');
  if (colon > 0) {
    peer = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  name = name.replace(/\/\d+$/, '');
  const byName = state.resources[name];
  if (byName) return peer ? {rs: byName, peer} : {rs: byName};
  const minorMatch = /^(?:minor-)?(\d+)$/.exec(name) ?? /\/drbd(\d+)$/.exec(name);
  if (minorMatch) {
    const minor = Number(minorMatch[1]);
    const rs = Object.values(state.resources).find((r) => r.config.minor === minor);
    if (rs && (!name.includes('/') || !stateDir || name.startsWith('/dev/') || name.startsWith(stateDir))) return {rs};
  }
  return undefined;
}
