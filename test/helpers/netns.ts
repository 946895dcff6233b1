// Test network namespaces: create/delete namespaces, veth pairs between them,
// read addresses, run commands and capture packets inside them.
// Rules (DESIGN.md §6): test addresses only from 198.51.100.0/24,
// 203.0.113.0/24 and 2001:db8::/32, and only inside namespaces created here;
// nothing is ever added to the host's own namespace. Every call uses argv
// arrays (no shell) and a timeout.
import {execa, type ResultPromise} from 'execa';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {waitUntil} from './wait';

const IP_TIMEOUT_MS = 15_000;
const NAME_PREFIX = 'hct-';
const PID_MAX = readPidMax();

// Runs `ip ARGS` and returns its stdout (throws an ExecaError with stderr on failure).
export async function ip(args: readonly string[], timeoutMs = IP_TIMEOUT_MS): Promise<string> {
  const r = await execa('ip', args, {timeout: timeoutMs, stdin: 'ignore'});
  return r.stdout;
}

// A fresh name `<prefix>-<owner pid base36>-<6 hex>`, e.g. hct-2k1-a93f0c (a '-'
// is added after the prefix if missing). The pid lets cleanupStaleNetns tell
// namespaces of dead test processes from those of parallel live ones.
export function uniqueName(prefix = NAME_PREFIX): string {
  const p = prefix.endsWith('-') ? prefix : `${prefix}-`;
  return `${p}${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
}

// The pid of the process that made a uniqueName, or undefined if the name is not of that form.
export function ownerPid(name: string): number | undefined {
  const m = /-([0-9a-z]{1,6})-[0-9a-f]{6}$/.exec(name);
  if (!m?.[1]) return undefined;
  const pid = parseInt(m[1], 36);
  return pid > 1 && pid <= PID_MAX ? pid : undefined;
}

// Whether a uniqueName belongs to a process that no longer runs.
export function ownerGone(name: string): boolean {
  const pid = ownerPid(name);
  if (pid === undefined || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

// Names of all network namespaces (`ip -j netns list`).
export async function listNetns(): Promise<string[]> {
  const out = await ip(['-j', 'netns', 'list']);
  if (out.trim() === '') return [];
  return (JSON.parse(out) as Array<{name: string}>).map((n) => n.name);
}

// Whether a network namespace of that name exists.
export async function netnsExists(name: string): Promise<boolean> {
  return (await listNetns()).includes(name);
}

// Creates a network namespace with lo up and IPv6 enabled (DAD left at defaults).
export async function createNetns(name: string): Promise<void> {
  assertName(name);
  await ip(['netns', 'add', name]);
  try {
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
    await execIn(name, ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=0',
      'net.ipv6.conf.default.disable_ipv6=0']);
  } catch (err) {
    await deleteNetns(name);
    throw err;
  }
}

// PIDs (host view) of processes in a namespace; [] when it does not exist.
export async function pidsIn(name: string): Promise<number[]> {
  const r = await execa('ip', ['netns', 'pids', name],
    {timeout: IP_TIMEOUT_MS, reject: false, stdin: 'ignore'});
  if (r.exitCode !== 0) return [];
  return r.stdout.split(/\s+/).filter(Boolean).map(Number);
}

// Deletes a namespace after SIGKILLing whatever still runs in it; idempotent.
export async function deleteNetns(name: string, timeoutMs = 10_000): Promise<void> {
  assertName(name);
  if (!(await netnsExists(name))) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await pidsIn(name);
    if (pids.length === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`netns ${name}: processes ${pids.join(' ')} survived SIGKILL for ${timeoutMs} ms`);
    }
    for (const pid of pids) killQuietly(pid, 'SIGKILL');
    await sleep(100);
  }
  await execa('ip', ['netns', 'del', name], {timeout: IP_TIMEOUT_MS, reject: false, stdin: 'ignore'});
  if (await netnsExists(name)) throw new Error(`netns ${name}: still listed after ip netns del`);
}

// Deletes `hct-*` namespaces whose owner process (see uniqueName) is gone:
// leftovers of aborted runs. Namespaces of live parallel runs, and names not
// made by uniqueName, are kept.
export async function cleanupStaleNetns(prefix = NAME_PREFIX): Promise<string[]> {
  const stale = (await listNetns()).filter((n) => n.startsWith(prefix) && ownerGone(n));
  for (const name of stale) await deleteNetns(name);
  return stale;
}

export interface VethPair {
  nsA: string;
  ifA: string;
  nsB: string;
  ifB: string;
  /** CIDR address(es) for ifA, e.g. '203.0.113.1/24' (test ranges only). */
  addrA?: string | readonly string[];
  /** CIDR address(es) for ifB. */
  addrB?: string | readonly string[];
}

// Creates a veth pair with one end in each namespace (never in the host's),
// adds the addresses and brings both ends and lo up.
export async function createVethPair(p: VethPair): Promise<void> {
  for (const ns of [p.nsA, p.nsB]) assertName(ns);
  if (p.nsA === p.nsB && p.ifA === p.ifB) throw new TypeError(`veth ends must differ: ${p.ifA}`);
  const addrsA = toList(p.addrA);
  const addrsB = toList(p.addrB);
  for (const a of [...addrsA, ...addrsB]) assertTestAddress(a);
  await ip(['-n', p.nsA, 'link', 'add', p.ifA, 'type', 'veth', 'peer', 'name', p.ifB, 'netns', p.nsB]);
  for (const a of addrsA) await addAddress(p.nsA, p.ifA, a);
  for (const a of addrsB) await addAddress(p.nsB, p.ifB, a);
  for (const [ns, ifname] of [[p.nsA, p.ifA], [p.nsB, p.ifB]] as const) {
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', ns, 'link', 'set', ifname, 'up']);
  }
}

// Adds a CIDR address (test ranges only) to an interface inside a namespace.
export async function addAddress(ns: string, ifname: string, cidr: string): Promise<void> {
  assertName(ns);
  assertTestAddress(cidr);
  await ip(['-n', ns, 'addr', 'add', cidr, 'dev', ifname]);
}

// Removes a CIDR address from an interface inside a namespace.
export async function delAddress(ns: string, ifname: string, cidr: string): Promise<void> {
  assertName(ns);
  await ip(['-n', ns, 'addr', 'del', cidr, 'dev', ifname]);
}

/** One entry of `ip -j addr` addr_info. */
export interface AddrInfo {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  tentative?: boolean;
  dadfailed?: boolean;
  nodad?: boolean;
  deprecated?: boolean;
  valid_life_time?: number;
  preferred_life_time?: number;
}

// Addresses on an interface inside a namespace (`ip -j -n NS addr show dev IF`).
export async function addressesIn(ns: string, ifname: string): Promise<AddrInfo[]> {
  assertName(ns);
  const out = await ip(['-j', '-n', ns, 'addr', 'show', 'dev', ifname]);
  const links = JSON.parse(out) as Array<{addr_info?: AddrInfo[]}>;
  return links.flatMap((l) => l.addr_info ?? []);
}

// Whether `addr/prefixlen` is configured on the interface (e.g. '203.0.113.50/24').
export async function hasAddress(ns: string, ifname: string, cidr: string): Promise<boolean> {
  const [addr, len] = cidr.split('/');
  return (await addressesIn(ns, ifname))
    .some((a) => a.local === addr && (len === undefined || a.prefixlen === Number(len)));
}

/** The parts of `ip -j link show` tests care about. */
export interface LinkInfo {
  ifname: string;
  flags: string[];
  operstate: string;
  address?: string;
  mtu: number;
}

// State of an interface inside a namespace (`ip -j -n NS link show dev IF`).
export async function linkIn(ns: string, ifname: string): Promise<LinkInfo> {
  assertName(ns);
  const [link] = JSON.parse(await ip(['-j', '-n', ns, 'link', 'show', 'dev', ifname])) as LinkInfo[];
  if (!link) throw new Error(`netns ${ns}: no link ${ifname}`);
  return link;
}

// Runs argv inside a namespace (`ip netns exec NS ...argv`); throws on non-zero exit.
export async function execIn(ns: string, argv: readonly string[],
  opts: {timeoutMs?: number; reject?: boolean; input?: string} = {}) {
  assertName(ns);
  if (argv.length === 0) throw new TypeError('execIn: empty argv');
  return execa('ip', ['netns', 'exec', ns, ...argv], {
    timeout: opts.timeoutMs ?? 30_000,
    reject: opts.reject ?? true,
    ...(opts.input === undefined ? {stdin: 'ignore' as const} : {input: opts.input}),
  });
}

/** A running tcpdump; see captureIn. */
export interface Capture {
  /** Resolves once tcpdump prints "listening on" (rejects if it exits or after 10 s). */
  ready: Promise<void>;
  /** The output so far (tcpdump runs line-buffered with -l). */
  peek(): Promise<string>;
  /** Stops tcpdump (SIGINT, then SIGKILL after 5 s) and returns its text output. */
  stop(): Promise<string>;
}

// Starts `tcpdump -i IF -n -l -e FILTER...` inside a namespace; await `ready`
// before generating traffic, then `stop()` for the decoded packets.
export function captureIn(ns: string, ifname: string, filter: readonly string[] = []): Capture {
  assertName(ns);
  const child: ResultPromise = execa('ip',
    ['netns', 'exec', ns, 'tcpdump', '-i', ifname, '-n', '-l', '-e', ...filter],
    {reject: false, stdin: 'ignore', timeout: 600_000, buffer: true});
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump in ${ns} on ${ifname} not listening after 10 s: ${stderr}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) { clearTimeout(timer); resolve(); }
    });
    void child.then((r) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump in ${ns} on ${ifname} exited (${r.exitCode ?? r.signal}): ${stderr}`));
    });
  });
  ready.catch(() => undefined); // reported to whoever awaits it
  let stopped: Promise<string> | undefined;
  const stop = (): Promise<string> => {
    stopped ??= (async () => {
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await child;
      clearTimeout(killer);
      return stdout;
    })();
    return stopped;
  };
  return {ready, peek: () => Promise.resolve(stdout), stop};
}

// Throws unless cidr lies in 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32
// (documentation ranges; the host's own network 192.0.2.0/24 is forbidden).
export function assertTestAddress(cidr: string): void {
  const addr = cidr.split('/')[0] ?? '';
  const ok = addr.startsWith('198.51.100.') || addr.startsWith('203.0.113.')
    || /^2001:0?db8:/i.test(addr);
  if (!ok) throw new RangeError(`address ${cidr} is outside the test ranges 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32`);
}

function assertName(ns: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(ns)) throw new TypeError(`bad netns name ${JSON.stringify(ns)}`);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(pid, signal); } catch { /* already gone */ }
}

function toList(a: string | readonly string[] | undefined): readonly string[] {
  return a === undefined ? [] : typeof a === 'string' ? [a] : a;
}

function readPidMax(): number {
  try {
    return Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim()) || 4_194_304;
  } catch {
    return 4_194_304;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Two namespaces joined on eth0, as a test node and the peer watching its wire. */
export interface TestLink {
  node: string;
  peer: string;
  remove(): Promise<void>;
}

// A node namespace and a peer namespace joined by a veth pair on eth0 with
// 203.0.113.1/24 + 2001:db8:1::1/64 (node) and .2/::2 (peer); returns once
// IPv6 duplicate address detection has settled on the node side.
export async function createTestLink(prefix = NAME_PREFIX): Promise<TestLink> {
  const node = uniqueName(`${prefix}n`);
  const peer = uniqueName(`${prefix}p`);
  const remove = async () => {
    await deleteNetns(node);
    await deleteNetns(peer);
  };
  try {
    await createNetns(node);
    await createNetns(peer);
    await createVethPair({
      nsA: node, ifA: 'eth0', nsB: peer, ifB: 'eth0',
      addrA: ['203.0.113.1/24', '2001:db8:1::1/64'],
      addrB: ['203.0.113.2/24', '2001:db8:1::2/64'],
    });
    await waitUntil(async () => !(await addressesIn(node, 'eth0')).some((a) => a.tentative),
      {timeoutMs: 10_000, what: `IPv6 DAD on eth0 in ${node}`, intervalMs: 100});
  } catch (error) {
    await remove();
    throw error;
  }
  return {node, peer, remove};
}
