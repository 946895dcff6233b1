// drbdadm: parses the command line like drbd-utils (options before or
// after the command, drbdsetup options such as --force and
// --discard-my-data anywhere, also the old "-- --discard-my-data connect"
// form), resolves resources from the simulator's configuration and runs
// the command on this node, printing drbdsetup's errors and drbdadm's
// "Command '...' terminated with exit code N" like the real pair.
import {existsSync, readFileSync} from 'node:fs';
import {formatGiV08, formatGiV09, formatShowGiV08, formatShowGiV09} from '../gi';
import {adjust, attach, connect, disconnect, down, newCurrentUuid, outdate, primary, secondary, up, createResource} from '../engine/node';
import {handlerEnv, type Ctx} from '../engine/context';
import {commandFailedText, errorText, exitCodeFor, fail, ok, SimRefusal, type Output} from '../errors';
import {renderCstate, renderDstate, renderRole, renderVersion} from '../render/misc';
import {renderStatusText} from '../render/status';
import {configPath, devicePath, imagePath, loadState, type Env} from '../store';
import type {ResourceState} from '../types';
import {HANDLERS} from '../types';
import {selfOf} from '../view';
import {errorObject, setupCmdline, type CmdOptions, type SetupCommand} from './cmdline';
import {findResource, fullView, resourcesOf, withSession} from './session';
import {spawnSync} from 'node:child_process';
import {waitConnect} from './wait';

const E_USAGE = 1;
const E_EXEC_ERROR = 20;
const NO_MODULE = "Could not connect to 'drbd' generic netlink family\n";

interface Parsed {
  command?: string;
  resources: string[];
  config?: string;
  dryRun: boolean;
  verbose: number;
  version: boolean;
  backend: string[];
  peer?: string;
}

const VALUE_OPTIONS: Record<string, string> = {
  '-c': 'config', '--config-file': 'config', '-P': 'peer', '--peer': 'peer', '-s': 'ignore', '--drbdsetup': 'ignore',
  '-m': 'ignore', '--drbdmeta': 'ignore', '-p': 'ignore', '--drbd-proxy-ctl': 'ignore', '-n': 'ignore',
  '--sh-varname': 'ignore', '-t': 'ignore', '--config-to-test': 'ignore', '-E': 'ignore', '--config-to-exclude': 'ignore',
  '-W': 'backend', '--setup-option': 'backend',
};

// Parses drbdadm's arguments.
export function parseDrbdadm(args: readonly string[]): Parsed {
  const p: Parsed = {resources: [], dryRun: false, verbose: 0, version: false, backend: []};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') continue;
    if (a.startsWith('-') && a.length > 1) {
      const eq = a.indexOf('=');
      const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
      const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
      const kind = VALUE_OPTIONS[name];
      if (kind) {
        const value = inline ?? args[++i] ?? '';
        if (kind === 'config') p.config = value;
        else if (kind === 'peer') p.peer = value;
        else if (kind === 'backend') p.backend.push(value);
        continue;
      }
      if (/^-c./.test(a)) { p.config = a.slice(2); continue; }
      if (a === '-d' || a === '--dry-run') p.dryRun = true;
      else if (a === '-v' || a === '--verbose') p.verbose++;
      else if (a === '-V' || a === '--version') p.version = true;
      else if (a === '-S' || a === '--stacked') continue;
      else p.backend.push(a);
      continue;
    }
    if (p.command === undefined) p.command = a;
    else p.resources.push(a);
  }
  return p;
}

const hasOpt = (p: Parsed, name: string): boolean => p.backend.some((o) => o === name || o.startsWith(`${name}=`));

// Runs drbdadm.
export function drbdadm(env: Env, args: readonly string[]): Output {
  const p = parseDrbdadm(args);
  if (p.config !== undefined && p.config !== '-') {
    try {
      readFileSync(p.config);
    } catch {
      return fail(`Can not open '${p.config}'.\n.`, E_EXEC_ERROR);
    }
  }
  if (p.version) {
    const state = loadState(env.stateDir);
    const flavor = state ? resourcesOf(state, env.node)[0]?.config.flavor ?? '9' : '9';
    return ok(renderVersion(flavor, !state?.noModule[env.node]));
  }
  const cmd = p.command;
  if (!cmd) return fail('\nUSAGE: drbdadm COMMAND [OPTION...] {all|RESOURCE...}\n\nNo command specified\n', E_USAGE);
  const handler = cmd === 'outdate-peer' ? 'fence-peer' : cmd;
  if ((HANDLERS as readonly string[]).includes(handler)) return runHandlerCommand(env, p, handler);
  if (cmd === 'sh-resources') {
    const state = loadState(env.stateDir);
    return ok(state ? resourcesOf(state, env.node).map((rs) => `${rs.config.name}\n`).join('') : '');
  }
  if (cmd === 'sh-mod-parms') return ok('minor_count=32\n');
  if (cmd === 'hidden-commands' || cmd === 'help') return ok('');
  if (!KNOWN.has(cmd)) return fail(`drbdadm: Unknown command '${cmd}'\n`, E_USAGE);
  if (p.resources.length === 0 && cmd === 'status') p.resources.push('all');
  if (p.resources.length === 0) return fail(`\nUSAGE: drbdadm ${cmd} [OPTION...] {all|RESOURCE...}\n\nNo resource names specified\n`, E_USAGE);
  if (cmd === 'wait-connect' || cmd === 'wait-sync') {
    const state = loadState(env.stateDir);
    const found = findResource(state, p.resources[0] ?? '', env.stateDir);
    if (!found) return fail(`'${p.resources[0] ?? ''}' not defined in your config (for this host).\n`, E_USAGE);
    return waitConnect(env, found.rs.config.name, {timeoutS: optionNumber(p.backend, '--wfc-timeout') ?? 0, afterSb: hasOpt(p, '--wait-after-sb')});
  }
  return withSession(env, {mutates: MUTATING.has(cmd) && !p.dryRun, allowMissing: true}, (ctx) => runOn(env, ctx, p, cmd));
}

const MUTATING = new Set(['up', 'down', 'attach', 'adjust', 'adjust-with-progress', 'connect', 'disconnect', 'primary',
  'secondary', 'outdate', 'new-current-uuid', 'new-resource', 'new-minor', 'detach']);
const READING = ['role', 'cstate', 'dstate', 'status', 'get-gi', 'show-gi', 'sh-dev', 'sh-ll-dev', 'sh-md-dev', 'sh-minor',
  'sh-resource', 'sh-ip', 'sh-md-idx', 'dump', 'check-resize', 'wait-connect', 'wait-sync', 'sh-nop', 'create-md', 'apply-al'];
const KNOWN = new Set([...MUTATING, ...READING]);

function runOn(env: Env, ctx: Ctx | undefined, p: Parsed, cmd: string): Output {
  const state = ctx?.state;
  const names = p.resources.length === 1 && p.resources[0] === 'all' && state
    ? resourcesOf(state, env.node).filter((rs) => cmd !== 'status' || rs.nodes[env.node]?.rt).map((rs) => rs.config.name) : p.resources;
  let out: Output = ok();
  for (const name of names) {
    const found = findResource(state, name, env.stateDir);
    if (!found) return merge(out, fail(`'${name}' not defined in your config (for this host).\n`, E_USAGE));
    const rs = found.rs;
    if (!rs.nodes[env.node]) {
      return merge(out, fail(`'${rs.config.name}' ignored, since this host (${env.node}) is not mentioned with an 'on' keyword.\n`, E_USAGE));
    }
    const r = runOne(env, ctx as Ctx, rs, p, cmd);
    out = merge(out, r);
    if (r.code >= 20) break;
  }
  return out;
}

function merge(a: Output, b: Output): Output {
  return {stdout: a.stdout + b.stdout, stderr: a.stderr + b.stderr, code: Math.max(a.code, b.code)};
}

// A drbdsetup step as drbdadm runs it: failures print drbdsetup's error and drbdadm's line.
function step(ctx: Ctx, rs: ResourceState, node: string, cmd: SetupCommand, o: CmdOptions, fn: () => void): Output {
  if (ctx.state.noModule[node]) {
    return fail(`${NO_MODULE}${commandFailedText(setupCmdline(rs, node, cmd, o, ctx.env.stateDir), 20)}`, 20);
  }
  try {
    fn();
    return ok();
  } catch (error) {
    if (!(error instanceof SimRefusal)) throw error;
    const code = exitCodeFor(error.error.code);
    return fail(errorText(errorObject(rs, cmd), error.error) + commandFailedText(setupCmdline(rs, node, cmd, o, ctx.env.stateDir), code), code);
  }
}

function runOne(env: Env, ctx: Ctx, rs: ResourceState, p: Parsed, cmd: string): Output {
  const node = env.node;
  const c = rs.config;
  const o: CmdOptions = {force: hasOpt(p, '--force'), discardMyData: hasOpt(p, '--discard-my-data'),
    clearBitmap: hasOpt(p, '--clear-bitmap')};
  if (p.dryRun) return ok(dryRun(ctx, rs, node, cmd, o));
  const verbose = (lines: SetupCommand[]): string =>
    p.verbose > 0 ? lines.map((l) => `${setupCmdline(rs, node, l, o, env.stateDir)}\n`).join('') : '';
  const rt = rs.nodes[node]?.rt ?? null;
  switch (cmd) {
    case 'sh-dev': return ok(`${devicePath(env.stateDir, node, c.minor)}\n`);
    case 'sh-ll-dev': case 'sh-md-dev': return ok(`${imagePath(env.stateDir, c.name, node)}\n`);
    case 'sh-md-idx': return ok('internal\n');
    case 'sh-minor': return ok(`${c.minor}\n`);
    case 'sh-resource': return ok(`${c.name}\n`);
    case 'sh-ip': return ok(`${selfOf(rs, node).address}\n`);
    case 'sh-nop': case 'check-resize': case 'apply-al': return ok();
    case 'create-md': return ok('Writing meta data...\nNew drbd meta data block successfully created.\n');
    case 'dump': return ok(existsSync(configPath(env.stateDir)) ? readFileSync(configPath(env.stateDir), 'utf8') : '');
    case 'up': return merge(ok(verbose(['new-resource', 'new-minor', 'attach', 'connect'])), step(ctx, rs, node, rt ? (c.flavor === '9' ? 'new-resource' : 'attach') : 'new-resource', o, () => up(ctx, rs, node)));
    case 'adjust': case 'adjust-with-progress': {
      const skipNet = hasOpt(p, '--skip-net');
      const skipDisk = hasOpt(p, '--skip-disk');
      return merge(ok(verbose(adjustSteps(rs, node, {skipDisk, skipNet}))),
        step(ctx, rs, node, 'attach', o, () => adjust(ctx, rs, node, {skipDisk, skipNet})));
    }
    case 'new-resource': case 'new-minor': return step(ctx, rs, node, cmd, o, () => createResource(ctx, rs, node));
    case 'attach': return step(ctx, rs, node, 'attach', o, () => attach(ctx, rs, node));
    case 'connect': return step(ctx, rs, node, 'connect', o, () => connect(ctx, rs, node, !!o.discardMyData));
    case 'disconnect': return step(ctx, rs, node, 'disconnect', o, () => disconnect(ctx, rs, node));
    case 'primary': return step(ctx, rs, node, 'primary', o, () => primary(ctx, rs, node, !!o.force));
    case 'secondary': return step(ctx, rs, node, 'secondary', o, () => secondary(ctx, rs, node));
    case 'down': return step(ctx, rs, node, 'down', o, () => down(ctx, rs, node));
    case 'detach': return step(ctx, rs, node, 'detach', o, () => undefined);
    case 'new-current-uuid': return step(ctx, rs, node, 'new-current-uuid', o, () => newCurrentUuid(ctx, rs, node, !!o.clearBitmap));
    case 'outdate': {
      // drbdadm runs drbdsetup outdate silently and falls back to drbdmeta:
      // 17 (Primary) and 5 (Inconsistent or worse) are reported, the rest succeeds.
      try {
        outdate(ctx, rs, node);
        return ok();
      } catch (error) {
        if (!(error instanceof SimRefusal)) throw error;
        const code = exitCodeFor(error.error.code);
        return code === 17 || code === 5 ? fail('', code) : ok();
      }
    }
    case 'role': case 'cstate': {
      if (ctx.state.noModule[node]) return fail(`${NO_MODULE}${commandFailedText(setupCmdline(rs, node, cmd, o, env.stateDir), 20)}`, 20);
      if (!rt) return notUp(env, rs, cmd);
      const v = fullView(ctx, rs, node);
      return ok(cmd === 'role' ? renderRole(v) : renderCstate(v));
    }
    case 'dstate': {
      if (!rt || ctx.state.noModule[node]) return ok(`${mdDiskState(rs, node)}\n`);
      return ok(renderDstate(fullView(ctx, rs, node)));
    }
    case 'get-gi': case 'show-gi': {
      const nr = rs.nodes[node];
      if (!nr) return ok();
      const fencing = c.fencing !== 'dont-care';
      if (cmd === 'get-gi') return ok(`${c.flavor === '8.4' ? formatGiV08(nr.md.gi, nr.md.flags) : formatGiV09(nr.md.gi, nr.md.flags, fencing)}\n`);
      return ok(c.flavor === '8.4' ? formatShowGiV08(nr.md.gi, nr.md.flags, rt !== null) : formatShowGiV09(nr.md.gi, nr.md.flags, fencing));
    }
    case 'status': {
      if (ctx.state.noModule[node]) return fail(`${NO_MODULE}${commandFailedText(setupCmdline(rs, node, 'status', o, env.stateDir), 20)}`, 20);
      if (!rt) return fail(`${c.name}: No such resource\n${commandFailedText(setupCmdline(rs, node, 'status', o, env.stateDir), 10)}`, 10);
      return ok(renderStatusText(fullView(ctx, rs, node), {verbose: p.verbose > 0 || hasOpt(p, '--verbose'), statistics: hasOpt(p, '--statistics')}));
    }
  }
  return fail(`drbdadm: Unknown command '${cmd}'\n`, E_USAGE);
}

function optionNumber(opts: readonly string[], name: string): number | undefined {
  for (const o of opts) if (o.startsWith(`${name}=`)) return Number(o.slice(name.length + 1));
  return undefined;
}

// The disk state drbdmeta reads from the meta-data (dstate of a resource that is down).
function mdDiskState(rs: ResourceState, node: string): string {
  const f = rs.nodes[node]?.md.flags;
  if (!f) return 'Diskless';
  return f.consistent ? (f.wasUpToDate ? 'UpToDate' : 'Outdated') : 'Inconsistent';
}

// role/cstate on a resource that is down.
function notUp(env: Env, rs: ResourceState, cmd: 'role' | 'cstate'): Output {
  const line = commandFailedText(setupCmdline(rs, env.node, cmd, {}, env.stateDir), 10);
  if (rs.config.flavor === '8.4') {
    return fail(`${errorText(String(rs.config.minor), {code: 127, info: ['unknown minor']})}${line}`, 10);
  }
  return fail(`${rs.config.name}: Unknown resource\n${line}`, 10);
}

// The drbdsetup steps adjust takes on this node now (what -v and -d print).
function adjustSteps(rs: ResourceState, node: string, o: {skipDisk: boolean; skipNet: boolean}): SetupCommand[] {
  const rt = rs.nodes[node]?.rt;
  const steps: SetupCommand[] = rt ? [] : ['new-resource', 'new-minor'];
  if (!o.skipDisk && (!rt || rt.disk === 'Diskless')) steps.push('attach');
  if (!o.skipNet && (!rt || rt.conn === 'StandAlone')) steps.push('connect');
  return steps;
}

// drbdadm -d: the drbdsetup commands it would run.
function dryRun(ctx: Ctx, rs: ResourceState, node: string, cmd: string, o: CmdOptions): string {
  const lines: SetupCommand[] = cmd === 'up' ? ['new-resource', 'new-minor', 'attach', 'connect']
    : cmd === 'adjust' ? adjustSteps(rs, node, {skipDisk: false, skipNet: false})
      : (['primary', 'secondary', 'down', 'connect', 'disconnect', 'attach', 'outdate', 'role', 'cstate', 'dstate',
        'get-gi', 'show-gi', 'new-current-uuid', 'status', 'new-resource', 'new-minor'] as string[]).includes(cmd) ? [cmd as SetupCommand] : [];
  return lines.map((l) => `${setupCmdline(rs, node, l, o, ctx.env.stateDir)}\n`).join('');
}

// drbdadm <handler> <res>: runs the configured handler like the kernel's helper call would.
function runHandlerCommand(env: Env, p: Parsed, handler: string): Output {
  const state = loadState(env.stateDir);
  const name = (p.resources[0] ?? '').replace(/^minor-/, '');
  const found = findResource(state, name, env.stateDir) ?? findResource(state, `minor-${name}`, env.stateDir);
  if (!found || !state) return fail(`'${p.resources[0] ?? ''}' not defined in your config (for this host).\n`, E_USAGE);
  const command = found.rs.config.handlers[handler];
  if (!command) return ok();
  const argv = command.trim().split(/\s+/);
  const r = spawnSync(argv[0] ?? 'true', argv.slice(1), {env: {...process.env, ...handlerEnv(env.stateDir, found.rs, env.node), FAKE_DRBD_NESTED: process.env.FAKE_DRBD_NESTED ?? ''},
    encoding: 'utf8', timeout: found.rs.config.handlerTimeoutS * 1000, stdio: ['ignore', 'pipe', 'pipe']});
  return {stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.status ?? 20};
}
