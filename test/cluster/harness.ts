// Single-node corosync + Pacemaker test cluster, isolated in its own network,
// mount, UTS and PID namespaces (reference/namespace-cluster.md): the host's
// /etc/corosync, /var/lib/pacemaker, /run, /dev/shm and hostname are never touched.
//   const cluster = await startCluster();          // beforeAll
//   await cluster.crm(['configure', 'primitive', ...]);
//   await cluster.waitFor((s) => isStartedOn(s, 'vip', cluster.nodeName), {what: 'vip started'});
//   await cluster.stop();                          // afterAll (idempotent)
import {execa} from 'execa';
import {accessSync, constants, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {cleanupStaleNetns, createNetns, deleteNetns, netnsExists, ownerGone, uniqueName} from '../helpers/netns';
import {type ClusterStatus, formatStatus} from './crm-mon';
import {corosyncConf, hostsFile, type MemberSpec, seedCib, TEST_PROPERTIES} from './node-config';
import {type ClusterNode, type ExecOptions, type ExecResult, startNode} from './node';
import {readStatus, waitForStatus, type WaitForOptions} from './observer';

export type {ClusterStatus} from './crm-mon';
export type {ExecOptions, ExecResult} from './node';
export type {WaitForOptions} from './observer';

export interface StartClusterOptions {
  /** corosync cluster_name (default: the generated unique name). */
  name?: string;
  /** Node name, also its hostname (default 'node1'). */
  nodeName?: string;
  /** Cluster properties added to / overriding TEST_PROPERTIES, set before Pacemaker starts. */
  properties?: Record<string, string>;
  /** Bound on start-up until online + DC + quorum (default 90 s). */
  timeoutMs?: number;
  /**
   * Host directories bind-mounted inside the node, e.g. a directory of test
   * programs over /usr/local/sbin so Pacemaker's agents find them on PATH.
   * Targets must already exist on the host (nothing is created there).
   */
  binds?: {source: string; target: string}[];
  /**
   * Host directories the node sees through a copy-on-write overlay (e.g.
   * '/etc', '/dev', '/var/lib'): files the node creates there (an agent's
   * configuration, a /dev/drbd0 link) stay inside the node's root.
   */
  overlays?: string[];
}

/** A running test cluster; every method is bounded in time. */
export interface Cluster {
  readonly name: string;
  readonly nodeName: string;
  /** The node's network namespace: add veths to it with test/helpers/netns. */
  readonly netns: string;
  /** Host directory with the node's state and logs. */
  readonly root: string;
  readonly node: ClusterNode;
  /** Milliseconds from start until online + DC + quorum. */
  readonly startupMs: number;
  /** Runs argv inside the node (all its namespaces); throws on failure unless reject: false. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs `crm ARGS...` (crmsh) inside the node. */
  crm(args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Loads crmsh configuration text (`crm configure load update FILE`). */
  configure(text: string, opts?: ExecOptions): Promise<ExecResult>;
  /** One parsed `crm_mon --output-as=xml` snapshot. */
  status(): Promise<ClusterStatus>;
  /** Polls status until predicate holds; on timeout (or failIf) throws with the last status and the pacemaker log tail. */
  waitFor(predicate: (s: ClusterStatus) => boolean, opts: WaitForOptions): Promise<ClusterStatus>;
  /** Status rendering plus log tails, for failure messages. */
  diagnostics(lines?: number): Promise<string>;
  /** Stops Pacemaker and corosync, removes the netns and temp dir, asserts nothing is left; idempotent. */
  stop(): Promise<void>;
}

const live = new Set<Cluster>();

// Starts a one-node cluster and waits (bounded) for node online, DC and quorum;
// on failure everything started is torn down before the error is thrown.
export async function startCluster(opts: StartClusterOptions = {}): Promise<Cluster> {
  await cleanupStale();
  const id = uniqueName();
  const nodeName = opts.nodeName ?? 'node1';
  const name = opts.name ?? id;
  const root = path.join(tmpdir(), id);
  const netns = id;
  const members: MemberSpec[] = [{name: nodeName, nodeId: 1, addr: '127.0.0.1'}];
  const properties = {...TEST_PROPERTIES, ...opts.properties};
  const t0 = Date.now();

  let node: ClusterNode | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= teardown({node, netns, root}).finally(() => live.delete(cluster));
    return stopping;
  };

  const exec = (argv: readonly string[], o?: ExecOptions): Promise<ExecResult> => {
    if (!node) throw new Error(`cluster ${name}: node not started`);
    return node.exec(argv, o);
  };
  const status = (): Promise<ClusterStatus> => readStatus(exec);
  const diagnostics = async (lines = 40): Promise<string> => {
    let s: string;
    try {
      s = formatStatus(await status());
    } catch (err) {
      s = `(no status: ${err instanceof Error ? err.message : String(err)})`;
    }
    return [`cluster ${name} (netns ${netns}, root ${root}):`, s,
      node?.logTail('pacemaker', lines) ?? '', node?.logTail('corosync', Math.min(lines, 15)) ?? '',
      node?.logTail('init', 10) ?? ''].join('\n');
  };
  const waitFor = (predicate: (s: ClusterStatus) => boolean, w: WaitForOptions): Promise<ClusterStatus> =>
    waitForStatus(status, predicate, w, {
      dead: () => (node && !node.alive() ? `node ${nodeName} is not running` : undefined),
      logs: () => `${node?.logTail('pacemaker', 40) ?? ''}${node && !node.alive() ? `\n${node.logTail('init', 10)}` : ''}`,
    });
  const crm = (args: readonly string[], o?: ExecOptions): Promise<ExecResult> => exec(['crm', ...args], o);
  let configs = 0;
  const configure = (text: string, o?: ExecOptions): Promise<ExecResult> => {
    const file = `hct-config-${++configs}.crm`;
    writeFileSync(path.join(root, 'tmp', file), text); // root/tmp is the node's /tmp
    return crm(['configure', 'load', 'update', `/tmp/${file}`], o);
  };

  const cluster: Cluster = {
    name, nodeName, netns, root, startupMs: 0,
    get node(): ClusterNode {
      if (!node) throw new Error(`cluster ${name}: node not started`);
      return node;
    },
    exec, crm, configure, status, waitFor, diagnostics, stop,
  };
  live.add(cluster);

  try {
    writeNodeFiles(root, {clusterName: name, members, properties, emptyCib: await emptyCib()});
    writeFileSync(path.join(root, 'binds'), (opts.binds ?? []).map((b) => `${b.source}\t${b.target}\n`).join(''));
    writeFileSync(path.join(root, 'overlays'), (opts.overlays ?? []).map((dir) => `${dir}\n`).join(''));
    await createNetns(netns);
    node = await startNode({name: nodeName, netns, root});
    await waitFor((s) => s.dc !== null && s.quorum
      && s.nodes.some((n) => n.name === nodeName && n.online), {
      what: `node ${nodeName} online with a DC and quorum`, timeoutMs: opts.timeoutMs ?? 90_000,
    });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return Object.assign(cluster, {startupMs: Date.now() - t0});
}

// Stops every cluster still running in this process (for a global afterAll).
export async function stopAllClusters(): Promise<void> {
  await Promise.allSettled([...live].map((c) => c.stop()));
}

// Throws a clear error unless the OCF agent `ocf:PROVIDER:TYPE` is installed
// (e.g. ocf:hacloud:vip by `make install`); returns its path.
export function requireOcfAgent(spec: string): string {
  const m = /^ocf:([^:]+):([^:]+)$/.exec(spec);
  if (!m) throw new TypeError(`not an ocf:PROVIDER:TYPE agent: ${spec}`);
  const file = `/usr/lib/ocf/resource.d/${m[1]}/${m[2]}`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new Error(`OCF agent ${spec} is not installed: ${file} is missing or not executable`
      + `${m[1] === 'hacloud' ? ' (run `make install` first)' : ''}`);
  }
  return file;
}

// Writes etc/hosts, etc/corosync/corosync.conf and the seed CIB under root;
// node-init.sh creates the other directories and sets ownership.
export function writeNodeFiles(root: string, c: {clusterName: string; members: MemberSpec[];
  properties: Record<string, string>; emptyCib: string; tokenMs?: number}): void {
  mkdirSync(path.join(root, 'etc', 'corosync'), {recursive: true});
  mkdirSync(path.join(root, 'var', 'lib', 'pacemaker', 'cib'), {recursive: true});
  mkdirSync(path.join(root, 'tmp'), {recursive: true});
  writeFileSync(path.join(root, 'etc', 'hosts'), hostsFile(c.members));
  writeFileSync(path.join(root, 'etc', 'corosync', 'corosync.conf'),
    corosyncConf({clusterName: c.clusterName, members: c.members, tokenMs: c.tokenMs}));
  writeFileSync(path.join(root, 'var', 'lib', 'pacemaker', 'cib', 'cib.xml'), seedCib(c.emptyCib, c.properties));
}

let emptyCibCache: string | undefined;
// `cibadmin --empty` (prints an empty CIB with this Pacemaker's schema version; no side effects).
export async function emptyCib(): Promise<string> {
  emptyCibCache ??= (await execa('cibadmin', ['--empty'], {timeout: 10_000, stdin: 'ignore'})).stdout;
  return emptyCibCache;
}

// Stops the node, deletes the netns and the temp dir, then checks nothing
// (process, mount) is left; collects every problem into one error.
async function teardown({node, netns, root}: {node: ClusterNode | undefined; netns: string; root: string}): Promise<void> {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void> | void): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  if (node) await attempt(`stop node ${node.name}`, () => node.stop(60_000));
  await attempt(`delete netns ${netns}`, () => deleteNetns(netns));
  await attempt('check mounts', () => {
    const leaked = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(root));
    if (leaked.length > 0) throw new Error(`host mounts under ${root}:\n${leaked.join('\n')}`);
  });
  if (await netnsExists(netns)) problems.push(`netns ${netns} still exists`);
  if (process.env.HCT_KEEP) {
    process.stderr.write(`HCT_KEEP: kept ${root}\n`);
  } else if (problems.length === 0) {
    await attempt(`remove ${root}`, () => rmSync(root, {recursive: true, force: true}));
  }
  if (problems.length > 0) throw new Error(`cluster teardown:\n${problems.join('\n')}`);
}

// Removes namespaces and temp dirs of earlier test processes that died
// without cleaning up (their owner pid, encoded in the name, is gone).
async function cleanupStale(): Promise<void> {
  await cleanupStaleNetns();
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('hct-') || !ownerGone(entry)) continue;
    const dir = path.join(tmpdir(), entry);
    const mounted = readFileSync('/proc/self/mountinfo', 'utf8').includes(dir);
    if (!mounted) rmSync(dir, {recursive: true, force: true});
  }
}
