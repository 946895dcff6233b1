import {setTimeout as sleep} from 'node:timers/promises';
import {BACKING, DATA_KIB, DEVICE, NODES, RESOURCE, type NodeName} from './config';
import type {CommandResult} from './guest';

// A node the scenarios run commands on: a QEMU guest or a simulated node.
export interface Host {
  run(argv: string[], timeoutS?: number): Promise<CommandResult>;
  must(argv: string[], timeoutS?: number): Promise<string>;
}

// What Pacemaker would do around the agent, played by the harness: the OCF
// environment of each action, clone notifications, and the relay of node
// attributes between the two emulated attrds (guest/fake-pacemaker).

export const AGENT = '/usr/lib/ocf/resource.d/hacloud/drbd';
const INSTANCE: Record<NodeName, string> = {ctl1: 'drbd-r0:0', ctl2: 'drbd-r0:1'};
const TIMEOUT_S: Record<string, number> = {start: 240, stop: 100, promote: 90, demote: 90, notify: 90, monitor: 20};

export interface Step {
  scenario: string;
  // Recorded while polling for a state: how many such steps run depends on timing.
  polling: boolean;
  at: number;
  node: NodeName;
  what: string;
  code: number;
  ms: number;
}

export const peerOf = (node: NodeName): NodeName => (node === 'ctl1' ? 'ctl2' : 'ctl1');

export class Cluster {
  readonly steps: Step[] = [];
  readonly notes: string[] = [];
  // Real DRBD's own outputs at named moments, kept in the report: the
  // material a simulator comparison diffs against.
  readonly snapshots: {scenario: string; label: string; node: NodeName; events2: string; gi: string}[] = [];
  policy = 'discard-least-changes';
  scenario = '';
  private polling = false;
  private readonly t0 = Date.now();

  constructor(readonly guests: Record<NodeName, Host>, private readonly log: (line: string) => void) {}

  private record(node: NodeName, what: string, r: CommandResult): CommandResult {
    this.steps.push({scenario: this.scenario, polling: this.polling, at: (Date.now() - this.t0) / 1000, node, what, code: r.code, ms: r.ms});
    this.log(`    [${node}] ${what} -> ${r.code} (${(r.ms / 1000).toFixed(1)} s)`);
    return r;
  }

  // A measurement or an observation worth keeping in the lane's output.
  note(line: string): void {
    this.notes.push(line);
    this.log(`  note: ${line}`);
  }

  async run(node: NodeName, argv: string[], timeoutS = 60): Promise<CommandResult> {
    return this.record(node, argv.join(' '), await this.guests[node].run(argv, timeoutS));
  }

  async must(node: NodeName, argv: string[], timeoutS = 60): Promise<string> {
    const r = await this.run(node, argv, timeoutS);
    if (r.code !== 0) throw new Error(`[${node}] ${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  // Copies the peer's own attributes into this node's attrd store, as
  // Pacemaker's attrd would have replicated them.
  async relayTo(node: NodeName): Promise<void> {
    const peer = peerOf(node);
    const exported = await this.guests[peer].must(['attrs', 'export'], 30);
    const pairs = exported.split('\n').filter(Boolean).flatMap((line) => line.split(' ').slice(0, 2));
    await this.guests[node].must(['attrs', 'import', peer, ...pairs], 30);
  }

  // The agent action with the environment pacemaker-execd gives it.
  async agent(node: NodeName, action: string, extra: Record<string, string> = {}): Promise<CommandResult> {
    await this.relayTo(node);
    const timeout = TIMEOUT_S[action] ?? 60;
    const env: Record<string, string> = {
      PATH: '/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin',
      OCF_ROOT: '/usr/lib/ocf',
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '1',
      OCF_RESOURCE_INSTANCE: INSTANCE[node],
      OCF_RESOURCE_TYPE: 'drbd',
      OCF_RESOURCE_PROVIDER: 'hacloud',
      OCF_RESKEY_drbd_resource: RESOURCE,
      OCF_RESKEY_split_brain_policy: this.policy,
      OCF_RESKEY_CRM_meta_on_node: node,
      OCF_RESKEY_CRM_meta_clone: INSTANCE[node].split(':')[1] ?? '0',
      OCF_RESKEY_CRM_meta_clone_max: '2',
      OCF_RESKEY_CRM_meta_clone_node_max: '1',
      OCF_RESKEY_CRM_meta_promotable: 'true',
      OCF_RESKEY_CRM_meta_promoted_max: '1',
      OCF_RESKEY_CRM_meta_promoted_node_max: '1',
      OCF_RESKEY_CRM_meta_master_max: '1',
      OCF_RESKEY_CRM_meta_master_node_max: '1',
      OCF_RESKEY_CRM_meta_notify: 'true',
      OCF_RESKEY_CRM_meta_timeout: String(timeout * 1000),
      ...(action === 'monitor' ? {OCF_RESKEY_CRM_meta_interval: '10000'} : {}),
      ...extra,
    };
    const argv = ['env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), AGENT, action];
    const r = await this.guests[node].run(argv, timeout + 5);
    const label = extra.OCF_RESKEY_CRM_meta_notify_type ? `notify ${extra.OCF_RESKEY_CRM_meta_notify_type}-${extra.OCF_RESKEY_CRM_meta_notify_operation}` : action;
    this.record(node, `agent ${label}`, r);
    // The agent's own account of split-brain steps and failures.
    for (const line of r.stderr.split('\n')) if (/split brain|ERROR|WARNING/.test(line)) this.log(`      ${line.replace(/^\S+\[\d+\]: /, '')}`);
    return r;
  }

  // A clone notification to both nodes, as Pacemaker sends around promote/demote/start/stop.
  async notifyAll(type: 'pre' | 'post', operation: string, on: NodeName, promoted: NodeName[]): Promise<void> {
    const env = {
      OCF_RESKEY_CRM_meta_notify_type: type,
      OCF_RESKEY_CRM_meta_notify_operation: operation,
      [`OCF_RESKEY_CRM_meta_notify_${operation}_uname`]: on,
      [`OCF_RESKEY_CRM_meta_notify_${operation}_resource`]: INSTANCE[on],
      OCF_RESKEY_CRM_meta_notify_promoted_uname: promoted.join(' '),
      OCF_RESKEY_CRM_meta_notify_master_uname: promoted.join(' '),
      OCF_RESKEY_CRM_meta_notify_active_uname: NODES.join(' '),
      OCF_RESKEY_CRM_meta_notify_all_uname: NODES.join(' '),
    };
    for (const node of NODES) await this.agent(node, 'notify', env);
  }

  // promote/demote wrapped in their notifications, as for a promotable clone.
  async promote(node: NodeName, promotedBefore: NodeName[]): Promise<CommandResult> {
    await this.notifyAll('pre', 'promote', node, promotedBefore);
    const r = await this.agent(node, 'promote');
    await this.notifyAll('post', 'promote', node, r.code === 0 ? [...new Set([...promotedBefore, node])] : promotedBefore);
    return r;
  }

  async demote(node: NodeName, promotedBefore: NodeName[]): Promise<CommandResult> {
    await this.notifyAll('pre', 'demote', node, promotedBefore);
    const r = await this.agent(node, 'demote');
    await this.notifyAll('post', 'demote', node, promotedBefore.filter((n) => n !== node));
    return r;
  }

  async snapshot(label: string): Promise<void> {
    for (const node of NODES) {
      const events2 = await this.guests[node].run(['drbdsetup', 'events2', '--now', '--statistics', RESOURCE], 30);
      const gi = await this.guests[node].run(['drbdadm', 'get-gi', RESOURCE], 30);
      this.snapshots.push({scenario: this.scenario, label, node, events2: events2.stdout + events2.stderr, gi: (gi.stdout + gi.stderr).trim()});
    }
  }

  // DRBD's view, straight from drbdadm (not the agent's): role, cstate, dstate.
  async state(node: NodeName): Promise<{role: string; cstate: string; dstate: string}> {
    const read = async (verb: string) => (await this.guests[node].run(['drbdadm', verb, RESOURCE], 30)).stdout.trim();
    return {role: await read('role'), cstate: await read('cstate'), dstate: await read('dstate')};
  }

  async waitFor(what: string, predicate: () => Promise<boolean>, seconds = 60, everyMs = 1000): Promise<number> {
    const started = Date.now();
    for (;;) {
      this.polling = true;
      const done = await predicate().finally(() => (this.polling = false));
      if (done) return (Date.now() - started) / 1000;
      if (Date.now() - started > seconds * 1000) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
      await sleep(everyMs);
    }
  }

  async waitCstate(nodes: readonly NodeName[], cstates: string[], seconds = 60): Promise<number> {
    return this.waitFor(`${nodes.join(',')} cstate ${cstates.join('|')}`, async () => {
      for (const n of nodes) if (!cstates.includes((await this.state(n)).cstate)) return false;
      return true;
    }, seconds);
  }

  async waitHealthy(seconds = 120): Promise<number> {
    return this.waitFor('Connected UpToDate/UpToDate on both', async () => {
      for (const n of NODES) {
        const s = await this.state(n);
        if (s.cstate !== 'Connected' || s.dstate !== 'UpToDate/UpToDate') return false;
      }
      return true;
    }, seconds);
  }

  async link(up: boolean): Promise<void> {
    for (const n of NODES) await this.must(n, ['ip', 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  // Random data through the Primary's DRBD device.
  async write(node: NodeName, kib: number, offsetKiB: number): Promise<CommandResult> {
    return this.run(node, ['dd', 'if=/dev/urandom', `of=${DEVICE}`, 'bs=4096', `count=${kib / 4}`, `seek=${offsetKiB / 4}`, 'conv=fsync'], 120);
  }

  async dataSum(node: NodeName, file = BACKING): Promise<string> {
    return (await this.must(node, ['data-sum', file, String(DATA_KIB)], 120)).trim();
  }

  async score(node: NodeName): Promise<string | undefined> {
    const r = await this.guests[node].run(['cat', `/var/lib/fake-attrd/${node}/master-drbd-r0`], 10);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async ls(node: NodeName, dir: string): Promise<string[]> {
    const r = await this.guests[node].run(['ls', dir], 10);
    return r.code === 0 ? r.stdout.split('\n').filter(Boolean) : [];
  }
}
