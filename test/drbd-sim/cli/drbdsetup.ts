// drbdsetup: the state readers (events2, status, sh-status, role/cstate/
// dstate, get-gi) and the direct state changes, in the flavor of the
// resource they address (9: drbd-utils 9.22's drbdsetup; 8.4:
// drbdsetup-84, which drbd-utils runs when the 8.4 module is loaded).
import {existsSync, openSync, readSync, closeSync, statSync, writeSync} from 'node:fs';
import {formatGiV08, formatGiV09, formatShowGiV08, formatShowGiV09} from '../gi';
import {eventView} from '../engine/context';
import {connect, disconnect, down, newCurrentUuid, outdate, primary, secondary, attach, createResource} from '../engine/node';
import {errorText, exitCodeFor, fail, ok, SimRefusal, type Output} from '../errors';
import {eventsTime} from '../logs';
import {eventObjects, objectLine, renderEventsNow} from '../render/events2';
import {renderCstate, renderDstate, renderRole, renderShStatus} from '../render/misc';
import {renderStatusJson, renderStatusText} from '../render/status';
import {eventsLogPath, type Env} from '../store';
import type {Flavor, ResourceState, SimState} from '../types';
import {findResource, fullView, resourcesOf, withSession} from './session';
import {waitConnect} from './wait';
import {errorObject, type SetupCommand} from './cmdline';

const NO_MODULE = "Could not connect to 'drbd' generic netlink family\n";

interface Parsed {
  command?: string;
  args: string[];
  opts: Map<string, string>;
}

// Parses drbdsetup's arguments ("--opt=value", "--opt value" for known value options, flags).
export function parseDrbdsetup(argv: readonly string[]): Parsed {
  const p: Parsed = {args: [], opts: new Map()};
  const valued = new Set(['--wfc-timeout', '--degr-wfc-timeout', '--outdated-wfc-timeout', '--color']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) p.opts.set(a.slice(0, eq), a.slice(eq + 1));
      else if (valued.has(a) && i + 1 < argv.length) p.opts.set(a, argv[++i] ?? '');
      else p.opts.set(a, '');
      continue;
    }
    if (a === '-c' || a === '-s' || a === '-t') continue;
    if (p.command === undefined) p.command = a;
    else p.args.push(a);
  }
  // 8.4 legacy form: drbdsetup /dev/drbd0 sh-status
  if (p.command && (p.command.startsWith('/') || /^\d+$/.test(p.command)) && p.args.length > 0) {
    const device = p.command;
    p.command = p.args.shift();
    p.args.unshift(device);
  }
  return p;
}

const USAGE_84 = [
  '',
  'USAGE: drbdsetup command device arguments options',
  '',
  'Device is usually /dev/drbdX or /dev/drbd/X.',
  '',
  'Commands are:',
  ...chunk(['primary', 'secondary', 'attach', 'disk-options', 'detach', 'connect', 'net-options', 'disconnect', 'resize',
    'resource-options', 'new-current-uuid', 'invalidate', 'invalidate-remote', 'pause-sync', 'resume-sync', 'suspend-io',
    'resume-io', 'outdate', 'verify', 'down', 'state', 'role', 'sh-status', 'cstate', 'dstate', 'show-gi', 'get-gi', 'show',
    'status', 'check-resize', 'events', 'events2', 'wait-connect', 'wait-sync', 'new-resource', 'new-minor', 'del-minor',
    'del-resource'], 3).map((row) => `    ${row.map((c) => c.padEnd(20, ' ')).join('')}`),
  '',
  'To get more details about a command issue \'drbdsetup help cmd\'.',
  '',
  '',
  'invalid command',
  '',
].join('\n');

const USAGE_9 = [
  '',
  'USAGE: drbdsetup command {arguments} [options]',
  '',
  'Commands:',
  ...chunk(['primary', 'secondary', 'attach', 'disk-options', 'detach', 'connect', 'net-options', 'disconnect', 'new-peer',
    'del-peer', 'new-path', 'del-path', 'resize', 'resource-options', 'peer-device-options', 'new-current-uuid', 'invalidate',
    'invalidate-remote', 'pause-sync', 'resume-sync', 'suspend-io', 'resume-io', 'outdate', 'verify', 'down', 'role', 'cstate',
    'dstate', 'show-gi', 'get-gi', 'show', 'status', 'check-resize', 'events2', 'wait-sync-volume', 'wait-sync-connection',
    'wait-sync-resource', 'wait-connect-volume', 'wait-connect-connection', 'wait-connect-resource', 'new-resource',
    'new-minor', 'del-minor', 'del-resource', 'forget-peer'], 3).map((row) => `    ${row.map((c) => c.padEnd(20, ' ')).join('')}`),
  '',
  'Use \'drbdsetup help command\' for command-specific help.',
  '',
  '',
  'invalid command',
  '',
].join('\n');

function chunk<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const invalidCommand = (flavor: Flavor): Output => fail('', 20, flavor === '8.4' ? USAGE_84 : USAGE_9);

// The flavor drbdsetup speaks on this node: that of the addressed resource, else of its first one.
function flavorFor(state: SimState | undefined, node: string, rs?: ResourceState): Flavor {
  return rs?.config.flavor ?? (state ? resourcesOf(state, node)[0]?.config.flavor : undefined) ?? '9';
}

const VERSION_84_ONLY = new Set(['sh-status', 'wait-connect', 'events']);
const VERSION_9_ONLY = new Set(['wait-connect-resource', 'wait-connect-connection', 'wait-connect-volume', 'new-peer',
  'del-peer', 'new-path', 'del-path', 'forget-peer']);
const MUTATING = new Set(['primary', 'secondary', 'down', 'outdate', 'connect', 'disconnect', 'new-current-uuid', 'attach',
  'new-resource', 'new-minor', 'detach', 'del-minor', 'del-resource']);

// Runs drbdsetup.
export function drbdsetup(env: Env, argv: readonly string[]): Output {
  const p = parseDrbdsetup(argv);
  const cmd = p.command ?? '';
  if (cmd === 'events2' && !p.opts.has('--now')) return streamEvents(env, p);
  if (cmd.startsWith('wait-connect')) return waitCommand(env, p, cmd);
  return withSession(env, {mutates: MUTATING.has(cmd), allowMissing: true}, (ctx) => {
    const state = ctx?.state;
    const target = p.args[0];
    const found = target && target !== 'all' ? findResource(state, target, env.stateDir) : undefined;
    const flavor = flavorFor(state, env.node, found?.rs);
    if ((flavor === '9' && VERSION_84_ONLY.has(cmd)) || (flavor === '8.4' && VERSION_9_ONLY.has(cmd))) return invalidCommand(flavor);
    if (state?.noModule[env.node]) return fail(NO_MODULE, 20);
    switch (cmd) {
      case 'events2': {
        if (!ctx) return ok('exists -\n');
        const list = target && target !== 'all' ? (found && found.rs.nodes[env.node] ? [found.rs] : []) : resourcesOf(ctx.state, env.node);
        const views = list.map((rs) => fullView(ctx, rs, env.node));
        const timestamp = p.opts.has('--timestamps') ? eventsTime(ctx.now()) : undefined;
        return ok(renderEventsNow(views, {statistics: p.opts.has('--statistics'), ...(timestamp ? {timestamp} : {})}));
      }
      case 'status': {
        if (flavor === '8.4' && p.opts.has('--json')) {
          return fail(`drbdsetup-84 status: unrecognized option '--json'\n`, 20);
        }
        const list = !ctx ? [] : target && target !== 'all' ? (found ? [found.rs] : []) : resourcesOf(ctx.state, env.node);
        const up = list.filter((rs) => rs.nodes[env.node]?.rt);
        const missing = target && target !== 'all' && up.length === 0;
        if (p.opts.has('--json')) {
          const out = renderStatusJson(ctx ? up.map((rs) => fullView(ctx, rs, env.node)) : []);
          return missing ? fail(`${target}: No such resource\n`, 10, out) : ok(out);
        }
        if (missing) return fail(`${target}: No such resource\n`, 10);
        const o = {verbose: p.opts.has('--verbose'), statistics: p.opts.has('--statistics')};
        return ok(up.map((rs) => renderStatusText(fullView(ctx as NonNullable<typeof ctx>, rs, env.node), o)).join(''));
      }
      case 'sh-status': {
        if (!ctx || !found) return ok('');
        return ok(renderShStatus(fullView(ctx, found.rs, env.node)));
      }
      default:
        break;
    }
    if (!ctx || !found || !found.rs.nodes[env.node]) return unknownObject(flavor, target ?? '', cmd);
    const rs = found.rs;
    const node = env.node;
    const rt = rs.nodes[node]?.rt;
    switch (cmd) {
      case 'role': case 'cstate': case 'dstate': {
        if (!rt) return unknownObject(flavor, target ?? '', cmd);
        const v = fullView(ctx, rs, node);
        return ok(cmd === 'role' ? renderRole(v) : cmd === 'cstate' ? renderCstate(v) : renderDstate(v));
      }
      case 'get-gi': case 'show-gi': {
        const nr = rs.nodes[node];
        if (!rt || !nr) return unknownObject(flavor, target ?? '', cmd);
        const fencing = rs.config.fencing !== 'dont-care';
        if (cmd === 'get-gi') return ok(`${flavor === '8.4' ? formatGiV08(nr.md.gi, nr.md.flags) : formatGiV09(nr.md.gi, nr.md.flags, fencing)}\n`);
        return ok(flavor === '8.4' ? formatShowGiV08(nr.md.gi, nr.md.flags, true) : formatShowGiV09(nr.md.gi, nr.md.flags, fencing));
      }
      case 'primary': return direct(rs, target ?? '', cmd, () => primary(ctx, rs, node, p.opts.has('--force')));
      case 'secondary': return direct(rs, target ?? '', cmd, () => secondary(ctx, rs, node));
      case 'down': return direct(rs, target ?? '', cmd, () => down(ctx, rs, node));
      case 'outdate': return direct(rs, target ?? '', cmd, () => { outdate(ctx, rs, node); });
      case 'connect': return direct(rs, target ?? '', cmd, () => connect(ctx, rs, node, p.opts.has('--discard-my-data')));
      case 'disconnect': return direct(rs, target ?? '', cmd, () => disconnect(ctx, rs, node));
      case 'new-current-uuid': return direct(rs, target ?? '', cmd, () => newCurrentUuid(ctx, rs, node, p.opts.has('--clear-bitmap')));
      case 'attach': return direct(rs, target ?? '', cmd, () => attach(ctx, rs, node));
      case 'new-resource': case 'new-minor': return direct(rs, target ?? '', cmd, () => createResource(ctx, rs, node));
      case 'detach': case 'del-minor': case 'del-resource': case 'new-peer': case 'new-path': return ok();
    }
    return invalidCommand(flavor);
  });
}

// A direct state change: drbdsetup's error line for the object as given.
function direct(rs: ResourceState, given: string, cmd: string, fn: () => void): Output {
  try {
    fn();
    return ok();
  } catch (error) {
    if (!(error instanceof SimRefusal)) throw error;
    const obj = rs.config.flavor === '8.4' && cmd === 'disconnect' ? errorObject(rs, 'disconnect' as SetupCommand) : given;
    return fail(errorText(obj, error.error), exitCodeFor(error.error.code));
  }
}

// An object drbdsetup does not know: "down" of a missing resource is a no-op.
function unknownObject(flavor: Flavor, given: string, cmd: string): Output {
  if (cmd === 'down') return ok();
  if (/^\d+$/.test(given) || given.startsWith('/')) {
    return fail(errorText(given.replace(/^.*drbd/, ''), {code: 127, info: flavor === '8.4' ? ['unknown minor'] : []}), 10);
  }
  return fail(flavor === '9' ? `${given}: Unknown resource\n` : errorText(given, {code: 158}), 10);
}

function waitCommand(env: Env, p: Parsed, cmd: string): Output {
  const res = p.args[0] ?? '';
  let found: ReturnType<typeof findResource>;
  let flavor = '9' as Flavor;
  withSession(env, {mutates: false, allowMissing: true}, (ctx) => {
    found = findResource(ctx?.state, res, env.stateDir);
    flavor = flavorFor(ctx?.state, env.node, found?.rs);
    return ok();
  });
  if ((flavor === '9' && cmd === 'wait-connect') || (flavor === '8.4' && cmd !== 'wait-connect')) return invalidCommand(flavor);
  if (!found) return fail(`${res}: No such resource\n`, 10);
  const num = (name: string): number => Number(p.opts.get(name) ?? '0') || 0;
  let stderr = '';
  if (flavor === '8.4') {
    let wfc = num('--wfc-timeout');
    let degr = num('--degr-wfc-timeout');
    let outdated = num('--outdated-wfc-timeout');
    if (wfc > 0 && (degr === 0 || degr > wfc)) {
      stderr += `degr-wfc-timeout has to be shorter than wfc-timeout\ndegr-wfc-timeout implicitly set to wfc-timeout (${wfc}s)\n`;
      degr = wfc;
    }
    if (degr > 0 && (outdated === 0 || outdated > degr)) {
      stderr += `outdated-wfc-timeout has to be shorter than degr-wfc-timeout\noutdated-wfc-timeout implicitly set to degr-wfc-timeout (${degr}s)\n`;
      outdated = degr;
    }
    wfc = wfc || 0;
    void outdated;
  }
  const r = waitConnect(env, (found as {rs: ResourceState}).rs.config.name,
    {timeoutS: num('--wfc-timeout'), afterSb: p.opts.has('--wait-after-sb')});
  return {...r, stderr: stderr + r.stderr};
}

// events2 without --now: the current objects, "exists -", then the node's
// event log as it grows (create/change/destroy/call/response lines).
function streamEvents(env: Env, p: Parsed): Output {
  const target = p.args[0];
  const timestamps = p.opts.has('--timestamps');
  const logPath = eventsLogPath(env.stateDir, env.node);
  let offset = 0;
  const out = withSession(env, {mutates: false, allowMissing: true}, (ctx) => {
    if (!ctx) return ok('exists -\n');
    const found = target && target !== 'all' ? findResource(ctx.state, target, env.stateDir) : undefined;
    const list = target && target !== 'all' ? (found ? [found.rs] : []) : resourcesOf(ctx.state, env.node);
    offset = existsSync(logPath) ? statSync(logPath).size : 0;
    const stamp = timestamps ? `${eventsTime(ctx.now())} ` : '';
    const lines = list.flatMap((rs) => eventObjects(eventView(ctx, rs, env.node)).map((o) => `${stamp}exists ${objectLine(o, p.opts.has('--statistics'))}\n`));
    return ok(`${lines.join('')}${stamp}exists -\n`);
  });
  if (out.code !== 0) return out;
  writeAll(out.stdout);
  const name = target && target !== 'all' ? target : undefined;
  for (;;) {
    if (existsSync(logPath)) {
      const size = statSync(logPath).size;
      if (size > offset) {
        const fd = openSync(logPath, 'r');
        const buffer = Buffer.alloc(size - offset);
        readSync(fd, buffer, 0, buffer.length, offset);
        closeSync(fd);
        const text = buffer.toString('utf8');
        const complete = text.lastIndexOf('\n') + 1;
        offset += Buffer.byteLength(text.slice(0, complete));
        for (const line of text.slice(0, complete).split('\n').filter(Boolean)) {
          const space = line.indexOf(' ');
          const body = line.slice(space + 1);
          if (name && !body.includes(` name:${name} `) && !body.endsWith(` name:${name}`)) continue;
          writeAll(`${timestamps ? line : body}\n`);
        }
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

function writeAll(text: string): void {
  const data = Buffer.from(text);
  let done = 0;
  while (done < data.length) done += writeSync(1, data, done, data.length - done);
}
