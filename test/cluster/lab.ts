// The lab: a multi-node corosync + Pacemaker cluster on one machine
// (reference/namespace-cluster.md). Each node is node-init.sh as PID 1 of its
// own mount, UTS and PID namespaces inside its own network namespace; the
// nodes' eth0 are veths on a bridge in a switch namespace, on 203.0.113.0/24
// (documentation range, never connected to this machine's interfaces).
// Fencing is real from Pacemaker's point of view: stonith:fence_hacloud_lab,
// installed only inside the nodes, asks the power broker of this process
// (through a shared control directory) to power a node off by killing its
// PID namespace and taking its interface down.
//   const lab = await startLab({nodes: ['ctl1', 'ctl2']});
//   await lab.configure('primitive ...');
//   await lab.powerOff('ctl1');                    // hard power-off, as a fence would
//   await lab.stop();
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {cleanupStaleNetns, createNetns, deleteNetns, execIn, ip, netnsExists, ownerGone, uniqueName} from '../helpers/netns';
import type {ClusterStatus} from './crm-mon';
import {formatStatus} from './crm-mon';
import {emptyCib, writeNodeFiles} from './harness';
import {type ClusterNode, type ExecOptions, type ExecResult, startNode} from './node';
import type {MemberSpec} from './node-config';
import {TEST_PROPERTIES} from './node-config';
import {readStatus, waitForStatus, type WaitForOptions} from './observer';

export const LAB_NETWORK = '203.0.113';
/** The switch's own address: clients of the cluster's services run in the switch namespace. */
export const CLIENT_ADDRESS = `${LAB_NETWORK}.254`;
const FENCE_AGENT = path.join(__dirname, 'fence_hacloud_lab');
const LAB_PREFIX = 'hct-lab-';
const DEFAULT_REBOOT_DELAY_MS = 20_000;

export interface LabOptions {
  /** Node names, also hostnames (default ctl1, ctl2). Two nodes get two_node quorum. */
  nodes?: readonly string[];
  /** Host directories every node sees copy-on-write (see StartClusterOptions.overlays). */
  overlays?: readonly string[];
  /**
   * Host directories bind-mounted into every node; `{node}` in a source is
   * replaced by the node's name. A target below an overlaid directory is
   * created in the node's overlay when the host lacks it.
   */
  binds?: readonly {source: string; target: string}[];
  /** Cluster properties added to the lab's defaults before Pacemaker starts. */
  properties?: Record<string, string>;
  /** Configure a fence device per node and stonith-enabled=true once all are online (default true). */
  fencing?: boolean;
  /** corosync token in ms (default 1000). */
  tokenMs?: number;
  /**
   * A fenced node is powered on again this long after a `reboot` (default 20 s). A real server takes
   * minutes; with 3 s the node sometimes rejoined before the loaded survivor had begun its promotion,
   * and Pacemaker then promoted the returning node instead (seen in the three-node test).
   */
  rebootDelayMs?: number;
  /** Called after a node was powered off (by a test or a fence), e.g. to crash its simulated DRBD. */
  onPowerOff?: (node: string) => Promise<void>;
  /** Bound on start-up until every node is online with a DC and quorum (default 120 s). */
  timeoutMs?: number;
}

export interface FenceRequest {
  action: string;
  node: string;
  at: number;
}

/** A running lab; every method is bounded in time. */
export interface Lab {
  readonly name: string;
  /** Host directory (under /var/tmp, which the nodes see) with ctl/ and nodes/. */
  readonly root: string;
  readonly nodes: readonly string[];
  readonly switchNs: string;
  /** The node's address on the lab network. */
  address(node: string): string;
  netns(node: string): string;
  isOn(node: string): boolean;
  /** Host PID of the node's init while it is on (for nsenter -t). */
  initPid(node: string): number | undefined;
  exec(node: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  crm(node: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Loads crmsh text through `crm configure load update` on a node that is on. */
  configure(text: string, opts?: ExecOptions & {on?: string}): Promise<ExecResult>;
  /** Runs argv in the switch namespace, i.e. as a client at CLIENT_ADDRESS. */
  client(argv: readonly string[], opts?: {timeoutMs?: number; input?: string}): Promise<ExecResult>;
  /** crm_mon as seen by `on` (default: the first node that is on). */
  status(on?: string): Promise<ClusterStatus>;
  waitFor(predicate: (s: ClusterStatus) => boolean, opts: WaitForOptions & {on?: string}): Promise<ClusterStatus>;
  /** Hard power-off: the node's namespaces lose every process at once; its interface goes down. */
  powerOff(node: string): Promise<void>;
  /** Boots a powered-off node again (its disk: CIB, overlays, logs, is kept). */
  powerOn(node: string): Promise<void>;
  /** Unplugs / replugs the node's cable at the switch: the node's eth0 loses its carrier. */
  unplug(node: string): Promise<void>;
  plug(node: string): Promise<void>;
  /**
   * Moves the node's switch port onto a bridge of its own / back: a partition
   * with every link still up (a failed switch path, not a pulled cable), in
   * which the node also loses the lab's clients.
   */
  isolate(node: string): Promise<void>;
  rejoin(node: string): Promise<void>;
  /** Fence requests the broker served, in order. */
  fenceRequests(): FenceRequest[];
  diagnostics(lines?: number): Promise<string>;
  /** Stops the broker, every node, removes the namespaces and the directory; asserts nothing is left. Idempotent. */
  stop(): Promise<void>;
}

interface NodeSlot {
  name: string;
  addr: string;
  netns: string;
  root: string;
  running: ClusterNode | undefined;
  /** Serialises power operations on this node. */
  busy: Promise<void>;
}

const live = new Set<Lab>();

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  await cleanupStaleLabs();
  const names = opts.nodes ?? ['ctl1', 'ctl2'];
  if (names.length < 2 || names.length > 9) throw new TypeError(`a lab has 2 to 9 nodes, not ${names.length}`);
  const id = uniqueName(LAB_PREFIX);
  const root = mkdtempSync(`/var/tmp/${id}-`);
  chmodSync(root, 0o755);
  const ctl = path.join(root, 'ctl');
  // Namespace names end in the owner's pid and a random tag, like uniqueName's,
  // so cleanupStaleNetns removes them once this process is gone.
  const tag = id.slice(LAB_PREFIX.length);
  const switchNs = `hct-lsw-${tag}`;
  const slots: NodeSlot[] = names.map((name, i) => ({
    name, addr: `${LAB_NETWORK}.${11 + i}`, netns: `hct-ln${i + 1}-${tag}`, root: path.join(root, 'nodes', name),
    running: undefined, busy: Promise.resolve(),
  }));
  const members: MemberSpec[] = slots.map((s, i) => ({name: s.name, nodeId: i + 1, addr: s.addr}));
  const requests: FenceRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let broker: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const slot = (name: string): NodeSlot => {
    const s = slots.find((n) => n.name === name);
    if (!s) throw new Error(`lab ${id}: no node ${name}`);
    return s;
  };
  const firstOn = (): NodeSlot => {
    const s = slots.find((n) => n.running?.alive());
    if (!s) throw new Error(`lab ${id}: every node is off`);
    return s;
  };
  const exec = (name: string, argv: readonly string[], o?: ExecOptions): Promise<ExecResult> => {
    const node = slot(name).running;
    if (!node?.alive()) throw new Error(`lab ${id}: node ${name} is off`);
    return node.exec(argv, o);
  };
  const setState = (s: NodeSlot, state: 'on' | 'off'): void => writeAtomic(path.join(ctl, 'state', s.name), `${state}\n`);
  const serial = (s: NodeSlot, fn: () => Promise<void>): Promise<void> => {
    const next = s.busy.then(fn, fn);
    s.busy = next.catch(() => undefined);
    return next;
  };

  const bootNode = async (s: NodeSlot): Promise<void> => {
    await ip(['-n', s.netns, 'addr', 'replace', `${s.addr}/24`, 'dev', 'eth0']);
    await ip(['-n', s.netns, 'link', 'set', 'eth0', 'up']);
    s.running = await startNode({name: s.name, netns: s.netns, root: s.root});
    setState(s, 'on');
  };
  const powerOff = (name: string): Promise<void> => {
    const s = slot(name);
    return serial(s, async () => {
      const node = s.running;
      if (node?.alive()) await node.kill();
      s.running = undefined;
      // The dead node's network namespace keeps its addresses (a VIP too):
      // a powered-off machine answers nothing.
      await ip(['-n', s.netns, 'link', 'set', 'eth0', 'down']);
      await ip(['-n', s.netns, 'addr', 'flush', 'dev', 'eth0']);
      setState(s, 'off');
      await opts.onPowerOff?.(name);
    });
  };
  const powerOn = (name: string): Promise<void> => {
    const s = slot(name);
    return serial(s, async () => {
      if (!s.running?.alive()) await bootNode(s);
    });
  };

  // The power switch: answers fence_hacloud_lab's requests from CTL/req.
  const serveRequests = (): void => {
    writeAtomic(path.join(ctl, 'heartbeat'), `${Date.now()}\n`);
    for (const file of readdirSync(path.join(ctl, 'req'))) {
      if (!file.endsWith('.req')) continue;
      const req = path.join(ctl, 'req', file);
      let text: string;
      try {
        text = readFileSync(req, 'utf8');
        rmSync(req);
      } catch {
        continue;
      }
      const [action = '', node = ''] = text.trim().split(/\s+/);
      const answer = (rc: number): void => writeAtomic(req.replace(/\.req$/, '.done'), `${rc}\n`);
      if (!slots.some((s) => s.name === node) || !['on', 'off', 'reboot'].includes(action)) {
        answer(1);
        continue;
      }
      requests.push({action, node, at: Date.now()});
      const done = action === 'on' ? powerOn(node) : powerOff(node);
      done.then(() => {
        answer(0);
        if (action === 'reboot' && !stopping) {
          const t = setTimeout(() => {
            timers.delete(t);
            if (!stopping) powerOn(node).catch((err: unknown) => appendLog(ctl, `power on ${node} failed: ${String(err)}`));
          }, opts.rebootDelayMs ?? DEFAULT_REBOOT_DELAY_MS);
          timers.add(t);
        }
      }, (err: unknown) => {
        appendLog(ctl, `${action} ${node} failed: ${String(err)}`);
        answer(1);
      });
    }
  };

  const status = (on?: string): Promise<ClusterStatus> => readStatus((argv, o) => exec(on ?? firstOn().name, argv, o));
  const diagnostics = async (lines = 40): Promise<string> => {
    const parts = [`lab ${id} (root ${root}):`];
    try {
      parts.push(formatStatus(await status()));
    } catch (err) {
      parts.push(`(no status: ${err instanceof Error ? err.message : String(err)})`);
    }
    for (const s of slots) {
      parts.push(`== ${s.name} (${s.running?.alive() ? 'on' : 'off'})`);
      if (s.running) parts.push(s.running.logTail('pacemaker', lines));
    }
    const fenceLog = path.join(ctl, 'fence.log');
    if (existsSync(fenceLog)) parts.push(readFileSync(fenceLog, 'utf8').split('\n').slice(-10).join('\n'));
    return parts.join('\n');
  };

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // The broker first: a pending `reboot` must not power a node on mid-teardown.
      if (broker) clearInterval(broker);
      for (const t of timers) clearTimeout(t);
      const problems: string[] = [];
      const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      };
      await Promise.all(slots.map((s) => s.busy));
      await Promise.all(slots.map((s) => attempt(`stop ${s.name}`, async () => s.running?.stop(60_000))));
      for (const ns of [...slots.map((s) => s.netns), switchNs]) await attempt(`delete netns ${ns}`, () => deleteNetns(ns));
      const leaked = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(root));
      if (leaked.length > 0) problems.push(`host mounts under ${root}:\n${leaked.join('\n')}`);
      for (const ns of [...slots.map((s) => s.netns), switchNs]) {
        if (await netnsExists(ns)) problems.push(`netns ${ns} still exists`);
      }
      if (process.env.HCT_KEEP) process.stderr.write(`HCT_KEEP: kept ${root}\n`);
      else if (problems.length === 0) rmSync(root, {recursive: true, force: true});
      live.delete(lab);
      if (problems.length > 0) throw new Error(`lab teardown:\n${problems.join('\n')}`);
    })();
    return stopping;
  };

  const lab: Lab = {
    name: id, root, nodes: names, switchNs,
    address: (name) => slot(name).addr,
    netns: (name) => slot(name).netns,
    isOn: (name) => slot(name).running?.alive() ?? false,
    initPid: (name) => (slot(name).running?.alive() ? slot(name).running?.initPid : undefined),
    exec,
    crm: (name, args, o) => exec(name, ['crm', ...args], o),
    configure: (text, o = {}) => {
      const on = o.on ?? firstOn().name;
      const file = `hct-config-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.crm`;
      writeFileSync(path.join(slot(on).root, 'tmp', file), text); // the node's /tmp
      return exec(on, ['crm', 'configure', 'load', 'update', `/tmp/${file}`], o);
    },
    client: async (argv, o = {}) => {
      const r = await execIn(switchNs, argv, {timeoutMs: o.timeoutMs ?? 30_000, input: o.input, reject: false});
      return {command: `client$ ${argv.join(' ')}`, exitCode: r.exitCode ?? -1, stdout: String(r.stdout),
        stderr: String(r.stderr), timedOut: r.timedOut};
    },
    status,
    waitFor: (predicate, w) => waitForStatus(() => status(w.on), predicate, w, {
      dead: () => (w.on !== undefined && !slot(w.on).running?.alive() ? `node ${w.on} is off` : undefined),
      logs: () => slots.map((s) => (s.running ? s.running.logTail('pacemaker', 25) : `${s.name}: off`)).join('\n'),
    }),
    powerOff, powerOn,
    unplug: async (name) => { await ip(['-n', switchNs, 'link', 'set', `p-${name}`, 'down']); },
    plug: async (name) => { await ip(['-n', switchNs, 'link', 'set', `p-${name}`, 'up']); },
    isolate: async (name) => {
      // A bridge of its own: the veth stays up, so the node's eth0 keeps its carrier.
      const island = `br-${name}`;
      if (!(await ip(['-n', switchNs, '-j', 'link', 'show', 'type', 'bridge'])).includes(`"${island}"`)) {
        await ip(['-n', switchNs, 'link', 'add', island, 'type', 'bridge']);
        await ip(['-n', switchNs, 'link', 'set', island, 'up']);
      }
      await ip(['-n', switchNs, 'link', 'set', `p-${name}`, 'master', island]);
    },
    rejoin: async (name) => { await ip(['-n', switchNs, 'link', 'set', `p-${name}`, 'master', 'br0']); },
    fenceRequests: () => [...requests],
    diagnostics, stop,
  };
  live.add(lab);

  try {
    mkdirSync(path.join(ctl, 'req'), {recursive: true});
    mkdirSync(path.join(ctl, 'state'), {recursive: true});
    writeFileSync(path.join(ctl, 'nodes'), names.map((n) => `${n}\n`).join(''));
    const agent = readFileSync(FENCE_AGENT, 'utf8').replace('@CTL@', `'${ctl}'`);
    const properties = {...TEST_PROPERTIES, ...opts.properties};
    const cib = await emptyCib();
    for (const s of slots) {
      writeNodeFiles(s.root, {clusterName: id, members, properties, emptyCib: cib, tokenMs: opts.tokenMs});
      const overlays = [...new Set([...(opts.overlays ?? []), '/usr/sbin'])];
      const binds = (opts.binds ?? []).map((b) => ({source: b.source.replaceAll('{node}', s.name), target: b.target}));
      for (const b of binds) {
        const under = overlays.find((d) => b.target.startsWith(`${d}/`));
        if (under && !existsSync(b.target)) mkdirSync(path.join(s.root, 'overlay', under, 'upper', b.target.slice(under.length)), {recursive: true});
      }
      writeFileSync(path.join(s.root, 'binds'), binds.map((b) => `${b.source}\t${b.target}\n`).join(''));
      writeFileSync(path.join(s.root, 'overlays'), overlays.map((d) => `${d}\n`).join(''));
      // The fence agent exists only in the nodes' /usr/sbin (the upper layer of their overlay).
      const sbin = path.join(s.root, 'overlay', 'usr', 'sbin', 'upper');
      mkdirSync(sbin, {recursive: true});
      writeFileSync(path.join(sbin, 'fence_hacloud_lab'), agent, {mode: 0o755});
    }
    await createNetns(switchNs);
    await ip(['-n', switchNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', switchNs, 'addr', 'add', `${CLIENT_ADDRESS}/24`, 'dev', 'br0']);
    await ip(['-n', switchNs, 'link', 'set', 'br0', 'up']);
    for (const s of slots) {
      await createNetns(s.netns);
      await ip(['-n', switchNs, 'link', 'add', `p-${s.name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', s.netns]);
      await ip(['-n', switchNs, 'link', 'set', `p-${s.name}`, 'master', 'br0', 'up']);
    }
    broker = setInterval(serveRequests, 100);
    await Promise.all(slots.map((s) => bootNode(s)));
    await lab.waitFor((st) => st.dc !== null && st.quorum && names.every((n) => st.nodes.some((x) => x.name === n && x.online)),
      {what: `${names.join(', ')} online with a DC and quorum`, timeoutMs: opts.timeoutMs ?? 120_000});
    if (opts.fencing ?? true) {
      await lab.configure(fencingConfig(names));
      await lab.waitFor((st) => names.every((n) => st.resources.some((r) => r.id === `fence_${n}` && r.active)),
        {what: 'every fence device started', timeoutMs: 60_000});
    }
  } catch (err) {
    await stop().catch((e: unknown) => process.stderr.write(`${String(e)}\n`));
    throw err;
  }
  return lab;
}

// One fence device per node, never run on the node it fences; in a two-node
// cluster the first node's device waits 3 s, so of two nodes shooting each
// other at once the first one wins (the production tie-breaker).
export function fencingConfig(nodes: readonly string[]): string {
  const lines: string[] = [];
  nodes.forEach((node, i) => {
    const delay = nodes.length === 2 && i === 0 ? ' pcmk_delay_base=3s' : '';
    lines.push(`primitive fence_${node} stonith:fence_hacloud_lab params pcmk_host_list=${node}${delay} op monitor interval=60s timeout=20s`);
    lines.push(`location l_fence_${node}_elsewhere fence_${node} -inf: ${node}`);
  });
  lines.push('property stonith-enabled=true stonith-timeout=60s');
  return `${lines.join('\n')}\n`;
}

// Stops every lab still running in this process (for a global afterAll).
export async function stopAllLabs(): Promise<void> {
  await Promise.allSettled([...live].map((l) => l.stop()));
}

function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function appendLog(ctl: string, line: string): void {
  writeFileSync(path.join(ctl, 'broker.log'), `${new Date().toISOString()} ${line}\n`, {flag: 'a'});
}

// Labs of test processes that died without cleaning up: their namespaces
// (owner pid gone) and directories.
async function cleanupStaleLabs(): Promise<void> {
  await cleanupStaleNetns();
  for (const entry of readdirSync('/var/tmp')) {
    if (!entry.startsWith(LAB_PREFIX)) continue;
    const id = entry.slice(0, entry.lastIndexOf('-'));
    if (!ownerGone(id)) continue;
    const dir = path.join('/var/tmp', entry);
    if (!readFileSync('/proc/self/mountinfo', 'utf8').includes(dir)) rmSync(dir, {recursive: true, force: true});
  }
}

