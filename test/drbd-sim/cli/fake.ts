// fake-drbd: the simulator's own verbs. Setup (init, teardown) and the
// test knobs (link down/up, write, crash, reboot, tick, hold-open,
// set-fence-rc, no-module) plus readers for tests (state, dmesg,
// events-log, proc-drbd).
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {justCreatedGi} from '../gi';
import {createImage, usableKiB} from '../images';
import {detachLoop, loopsOf, unlinkDevice} from '../devices';
import {fail, ok, UsageError, type Output} from '../errors';
import {outOfSyncBlocks, createContext} from '../engine/context';
import {networkFailure, settle} from '../engine/connection';
import {crash, holdOpen, reboot, write} from '../engine/node';
import {configPath, devicePath, eventsLogPath, imagePath, kernelLogPath, loadState, procDrbdPath, saveState, statePath,
  acquireLock, type Env} from '../store';
import {AFTER_SB_0PRI, AFTER_SB_1PRI, AFTER_SB_2PRI, FENCING, HANDLERS, RR_CONFLICT} from '../types';
import type {AfterSb0, AfterSb1, AfterSb2, Fencing, NodeConfig, ResourceConfig, ResourceState, RrConflict, SimState} from '../types';
import {withSession} from './session';

const USAGE = `usage: fake-drbd <verb> ...
  init --resource R --nodes A,B [--size-mib 64] [--flavor 9|8.4] [--minor 0]
       [--after-sb-0pri P] [--after-sb-1pri P] [--after-sb-2pri P] [--rr-conflict P]
       [--fencing dont-care|resource-only|resource-and-stonith] [--handler NAME=CMD]...
       [--handler-timeout S] [--resync-rate KIB_PER_S] [--address NODE=IP[:PORT]]...
       [--allow-two-primaries] [--replace]
  teardown
  link down|up
  write RES KIB [--node N] [--offset KIB]
  crash NODE | reboot NODE
  tick [SECONDS]
  hold-open RES on|off [--node N]
  set-fence-rc N|none
  no-module on|off [--node N]
  state | dmesg [--node N] | events-log [--node N] | proc-drbd [--node N]
`;

interface Args {
  positional: string[];
  opts: Map<string, string[]>;
}

const FLAGS = new Set(['--allow-two-primaries', '--replace']);

function parse(argv: readonly string[]): Args {
  const a: Args = {positional: [], opts: new Map()};
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i] ?? '';
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq > 0 ? t.slice(0, eq) : t;
      const value = eq > 0 ? t.slice(eq + 1) : FLAGS.has(t) ? '' : argv[++i];
      if (value === undefined) throw new UsageError(`fake-drbd: ${name} needs a value`);
      a.opts.set(name, [...(a.opts.get(name) ?? []), value]);
    } else {
      a.positional.push(t);
    }
  }
  return a;
}

const one = (a: Args, name: string): string | undefined => a.opts.get(name)?.at(-1);

function choice<T extends string>(a: Args, name: string, allowed: readonly T[], fallback: T): T {
  const v = one(a, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`fake-drbd: ${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

// Runs fake-drbd.
export function fakeDrbd(env: Env, argv: readonly string[]): Output {
  const a = parse(argv);
  const verb = a.positional.shift();
  const nodeOpt = one(a, '--node');
  switch (verb) {
    case 'init': return init(env, a);
    case 'teardown': return teardown(env);
    case 'link': {
      const dir = a.positional[0];
      if (dir !== 'down' && dir !== 'up') throw new UsageError('fake-drbd: link down|up');
      return withSession(env, {mutates: true}, (ctx) => {
        if (!ctx) return ok();
        if (dir === 'down' && ctx.state.link === 'up') {
          for (const rs of Object.values(ctx.state.resources)) networkFailure(ctx, rs);
        }
        ctx.state.link = dir;
        return ok();
      });
    }
    case 'write': {
      const [res, kib] = a.positional;
      if (!res || !kib || !/^\d+$/.test(kib)) throw new UsageError('fake-drbd: write RES KIB [--node N] [--offset KIB]');
      const offset = one(a, '--offset');
      return withSession(env, {mutates: true}, (ctx) => {
        const rs = ctx?.state.resources[res];
        if (!ctx || !rs) return fail(`fake-drbd: no resource ${res}\n`, 1);
        const node = nodeOpt ?? env.node;
        if (!rs.nodes[node]) return fail(`fake-drbd: ${node} is not a node of ${res}\n`, 1);
        try {
          const r = write(ctx, rs, node, Number(kib), offset === undefined ? undefined : Number(offset));
          settle(ctx);
          return ok(`${node}: wrote ${kib} KiB at ${r.offsetKiB} KiB\n`);
        } catch (error) {
          return fail(`fake-drbd: write: ${(error as Error).message}\n`, 1);
        }
      });
    }
    case 'crash': case 'reboot': {
      const node = a.positional[0];
      if (!node) throw new UsageError(`fake-drbd: ${verb} NODE`);
      return withSession(env, {mutates: true}, (ctx) => {
        if (!ctx) return ok();
        if (!Object.values(ctx.state.resources).some((rs) => rs.nodes[node])) return fail(`fake-drbd: unknown node ${node}\n`, 1);
        if (verb === 'crash') crash(ctx, node);
        else reboot(ctx, node);
        return ok();
      });
    }
    case 'tick': {
      const seconds = Number(a.positional[0] ?? '1');
      if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError('fake-drbd: tick [SECONDS]');
      return withSession(env, {mutates: true}, (ctx) => {
        if (ctx) ctx.state.clockOffsetMs += seconds * 1000;
        return ok();
      });
    }
    case 'hold-open': {
      const [res, on] = a.positional;
      if (!res || (on !== 'on' && on !== 'off')) throw new UsageError('fake-drbd: hold-open RES on|off [--node N]');
      return withSession(env, {mutates: true}, (ctx) => {
        const rs = ctx?.state.resources[res];
        if (!rs) return fail(`fake-drbd: no resource ${res}\n`, 1);
        try {
          holdOpen(rs, nodeOpt ?? env.node, on === 'on');
        } catch (error) {
          return fail(`fake-drbd: ${(error as Error).message}\n`, 1);
        }
        return ok();
      });
    }
    case 'set-fence-rc': {
      const v = a.positional[0];
      if (v === undefined || (v !== 'none' && !/^\d+$/.test(v))) throw new UsageError('fake-drbd: set-fence-rc N|none');
      return withSession(env, {mutates: true}, (ctx) => {
        if (ctx) ctx.state.fenceRc = v === 'none' ? null : Number(v);
        return ok();
      });
    }
    case 'no-module': {
      const v = a.positional[0];
      if (v !== 'on' && v !== 'off') throw new UsageError('fake-drbd: no-module on|off [--node N]');
      return withSession(env, {mutates: true}, (ctx) => {
        if (!ctx) return ok();
        const nodes = nodeOpt ? [nodeOpt] : [...new Set(Object.values(ctx.state.resources).flatMap((rs) => rs.config.nodes.map((n) => n.name)))];
        for (const node of nodes) {
          if (v === 'on' && Object.values(ctx.state.resources).some((rs) => rs.nodes[node]?.rt)) {
            return fail(`fake-drbd: ${node}: module drbd is in use (resources are up)\n`, 1);
          }
          ctx.state.noModule[node] = v === 'on';
        }
        return ok();
      });
    }
    case 'state': return withSession(env, {mutates: false}, (ctx) => ok(`${JSON.stringify(ctx ? {...ctx.state, summary: summary(ctx)} : {}, null, 2)}\n`));
    case 'dmesg': return readLog(kernelLogPath(env.stateDir, nodeOpt ?? env.node));
    case 'events-log': return readLog(eventsLogPath(env.stateDir, nodeOpt ?? env.node));
    case 'proc-drbd': return withSession(env, {mutates: false}, () => readLog(procDrbdPath(env.stateDir, nodeOpt ?? env.node)));
    case undefined: case 'help': case '--help': return ok(USAGE);
  }
  return fail(`fake-drbd: unknown verb ${verb}\n${USAGE}`, 1);
}

function readLog(path: string): Output {
  return ok(existsSync(path) ? readFileSync(path, 'utf8') : '');
}

function summary(ctx: ReturnType<typeof createContext>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const rs of Object.values(ctx.state.resources)) {
    const per: Record<string, unknown> = {};
    for (const n of rs.config.nodes) {
      const nr = rs.nodes[n.name];
      const rt = nr?.rt;
      per[n.name] = rt ? {role: rt.role, disk: rt.disk, conn: rt.conn, repl: rt.repl, peerRole: rt.peerRole,
        peerDisk: rt.peerDisk, oosKiB: outOfSyncBlocks(ctx, rs, n.name) * 4, device: devicePath(ctx.env.stateDir, n.name, rs.config.minor),
        loop: rt.loop, gi: nr?.md.gi} : {down: true, gi: nr?.md.gi};
    }
    out[rs.config.name] = per;
  }
  return out;
}

function init(env: Env, a: Args): Output {
  const name = one(a, '--resource');
  const nodes = (one(a, '--nodes') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!name || !/^[A-Za-z0-9_.+-]+$/.test(name)) throw new UsageError('fake-drbd init: --resource NAME is required');
  if (nodes.length !== 2 || nodes[0] === nodes[1]) throw new UsageError('fake-drbd init: --nodes A,B names two different nodes');
  const sizeMiB = Number(one(a, '--size-mib') ?? '64');
  if (!Number.isInteger(sizeMiB) || sizeMiB < 4) throw new UsageError('fake-drbd init: --size-mib must be an integer >= 4');
  const minor = Number(one(a, '--minor') ?? '0');
  const flavor = choice(a, '--flavor', ['9', '8.4'] as const, '9');
  const sb0raw = one(a, '--after-sb-0pri') ?? 'disconnect';
  let afterSb0: AfterSb0;
  let discardNode: string | undefined;
  const m = /^discard-node-(.+)$/.exec(sb0raw);
  if (m?.[1]) {
    if (!nodes.includes(m[1])) throw new UsageError(`fake-drbd init: ${sb0raw}: no node ${m[1]}`);
    afterSb0 = 'discard-local';
    discardNode = m[1];
  } else if ((AFTER_SB_0PRI as readonly string[]).includes(sb0raw) && sb0raw !== 'discard-local' && sb0raw !== 'discard-remote') {
    afterSb0 = sb0raw as AfterSb0;
  } else {
    throw new UsageError(`fake-drbd init: --after-sb-0pri must be one of disconnect, discard-younger-primary, discard-older-primary, discard-zero-changes, discard-least-changes, discard-node-NAME`);
  }
  const afterSb1 = choice<AfterSb1>(a, '--after-sb-1pri', AFTER_SB_1PRI, 'disconnect');
  const afterSb2 = choice<AfterSb2>(a, '--after-sb-2pri', AFTER_SB_2PRI, 'disconnect');
  const rrConflict = choice<RrConflict>(a, '--rr-conflict', RR_CONFLICT, 'disconnect');
  const fencing = choice<Fencing>(a, '--fencing', FENCING, 'dont-care');
  const handlers: Record<string, string> = {};
  for (const h of a.opts.get('--handler') ?? []) {
    const eq = h.indexOf('=');
    const hn = eq > 0 ? h.slice(0, eq) : '';
    if (!(HANDLERS as readonly string[]).includes(hn) || !h.slice(eq + 1).trim()) {
      throw new UsageError(`fake-drbd init: --handler NAME=CMD with NAME one of ${HANDLERS.join(', ')}`);
    }
    handlers[hn] = h.slice(eq + 1).trim();
  }
  const addresses = new Map<string, {address: string; port: number}>();
  for (const spec of a.opts.get('--address') ?? []) {
    const mm = /^([^=]+)=([0-9.]+)(?::(\d+))?$/.exec(spec);
    if (!mm?.[1] || !mm[2] || !nodes.includes(mm[1])) throw new UsageError('fake-drbd init: --address NODE=IPv4[:PORT]');
    addresses.set(mm[1], {address: mm[2], port: Number(mm[3] ?? 7789)});
  }
  const nodeConfigs = nodes.map((n, i): NodeConfig => ({name: n, nodeId: i, address: addresses.get(n)?.address ?? `198.51.100.${minor * 2 + i + 201}`,
    port: addresses.get(n)?.port ?? 7789})) as [NodeConfig, NodeConfig];
  const sizeKiB = sizeMiB * 1024;
  const config: ResourceConfig = {
    name, flavor, minor, sizeKiB, usableKiB: usableKiB(sizeKiB), nodes: nodeConfigs, protocol: 'C', afterSb0,
    ...(discardNode ? {discardNode} : {}), afterSb1, afterSb2, rrConflict, allowTwoPrimaries: a.opts.has('--allow-two-primaries'),
    fencing, handlers, handlerTimeoutS: Number(one(a, '--handler-timeout') ?? '60'), resyncRateKiB: Number(one(a, '--resync-rate') ?? '0'),
  };
  mkdirSync(env.stateDir, {recursive: true});
  const lock = acquireLock(env.stateDir);
  try {
    const state: SimState = loadState(env.stateDir) ?? {version: 1, clockOffsetMs: 0, link: 'up', fenceRc: null, noModule: {},
      bootMs: {}, resources: {}, handlerCalls: []};
    const existing = state.resources[name];
    if (existing && !a.opts.has('--replace')) return fail(`fake-drbd init: resource ${name} exists (use --replace)\n`, 1);
    if (existing && Object.values(existing.nodes).some((nr) => nr.rt)) return fail(`fake-drbd init: resource ${name} is up; down it first\n`, 1);
    const clash = Object.values(state.resources).find((rs) => rs.config.name !== name && rs.config.minor === minor);
    if (clash) return fail(`fake-drbd init: minor ${minor} is used by ${clash.config.name}\n`, 1);
    const rs: ResourceState = {config, nodes: {}};
    for (const n of nodes) {
      createImage(imagePath(env.stateDir, name, n), sizeKiB);
      rs.nodes[n] = {
        md: {gi: justCreatedGi(), flags: {consistent: false, wasUpToDate: false, primary: false, connected: false, fullSync: false,
          peerOutdated: false, crashedPrimary: false, alClean: true, peerDeviceSeen: false}},
        bitmap: {full: true, blocks: [], base: false},
        rt: null,
        writeCursor: Math.floor(config.usableKiB / 4 / 2) * nodes.indexOf(n),
      };
      state.bootMs[n] ??= Date.now();
    }
    state.resources[name] = rs;
    saveState(env.stateDir, state);
    writeFileSync(configPath(env.stateDir), Object.values(state.resources).map((r) => renderConfig(r, env.stateDir)).join(''));
  } finally {
    lock.release();
  }
  return ok();
}

// A drbd.conf rendering of the simulated resources (for DRBD_CONF, -c and dump).
export function renderConfig(rs: ResourceState, stateDir: string): string {
  const c = rs.config;
  const sb0 = c.discardNode ? `discard-node-${c.discardNode}` : c.afterSb0;
  const net = [`    after-sb-0pri ${sb0};`, `    after-sb-1pri ${c.afterSb1};`, `    after-sb-2pri ${c.afterSb2};`];
  if (c.rrConflict !== 'disconnect') net.push(`    rr-conflict ${c.rrConflict};`);
  if (c.allowTwoPrimaries) net.push('    allow-two-primaries yes;');
  const fencing = c.fencing !== 'dont-care' ? `    fencing ${c.fencing};` : '';
  const lines = [`resource ${c.name} {`, '  protocol C;', `  device /dev/drbd${c.minor};`, '  meta-disk internal;'];
  if (fencing && c.flavor === '8.4') lines.push('  disk {', fencing, '  }');
  lines.push('  net {', ...(fencing && c.flavor === '9' ? [fencing] : []), ...net, '  }');
  const handlers = Object.entries(c.handlers);
  if (handlers.length) lines.push('  handlers {', ...handlers.map(([k, v]) => `    ${k} "${v}";`), '  }');
  for (const n of c.nodes) {
    lines.push(`  on ${n.name} {`, ...(c.flavor === '9' ? [`    node-id ${n.nodeId};`] : []), `    disk ${imagePath(stateDir, c.name, n.name)};`,
      `    address ${n.address}:${n.port};`, '  }');
  }
  lines.push('}', '');
  return lines.join('\n');
}

// Detaches every loop device of the simulated images, removes device links and the state.
function teardown(env: Env): Output {
  if (!existsSync(env.stateDir)) return ok();
  const entries = readdirSync(env.stateDir);
  const known = new Set(['cluster.json', 'lock', 'img', 'dev', 'log', 'proc', 'drbd.conf']);
  if (entries.some((e) => !known.has(e) && !e.startsWith('cluster.json.'))) {
    return fail(`fake-drbd teardown: ${env.stateDir} holds files the simulator did not create; not removing it\n`, 1);
  }
  const state = existsSync(statePath(env.stateDir)) ? loadState(env.stateDir) : undefined;
  for (const rs of Object.values(state?.resources ?? {})) {
    for (const n of rs.config.nodes) {
      const rt = rs.nodes[n.name]?.rt;
      if (rt?.loop) detachLoop(rt.loop);
      for (const loop of loopsOf(imagePath(env.stateDir, rs.config.name, n.name))) detachLoop(loop);
      unlinkDevice(devicePath(env.stateDir, n.name, rs.config.minor));
    }
  }
  rmSync(env.stateDir, {recursive: true, force: true});
  return ok();
}
