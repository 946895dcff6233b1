// Split brain end to end: two simulated DRBD nodes (test/drbd-sim) driven
// by the installed drbd agent the way Pacemaker drives it, with the real
// pacemaker-attrd of a test cluster carrying the facts and scores both nodes
// publish. For each policy: the survivor, the victim's preserved data, the
// final data on both sides, and that `manual` never discards.
import {createHash} from 'node:crypto';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseEvents2} from '../../lib/drbd/events2';
import {waitUntil} from '../helpers/wait';
import {requireOcfAgent, startCluster, type Cluster} from './harness';
import {copySimulator} from './simulator-copy';

jest.setTimeout(300_000);

const AGENT = '/usr/lib/ocf/resource.d/hacloud/drbd';
const HACLOUD = '/usr/lib/hacloud/hacloud';
const NODES = ['ctl1', 'ctl2'] as const;
type Node = (typeof NODES)[number];

let cluster: Cluster | undefined;

beforeAll(async () => {
  requireOcfAgent('ocf:hacloud:drbd');
  // Pacemaker maps attribute names to nodes it knows: the test node is ctl1,
  // ctl2 is a configured (offline) node, so both can carry attributes.
  cluster = await startCluster({nodeName: 'ctl1'});
  await cluster.exec(['cibadmin', '--create', '--scope', 'nodes', '--xml-text', '<node id="2" uname="ctl2"/>']);
}, 150_000);

afterAll(async () => cluster?.stop(), 120_000);

interface Pair {
  dir: string;
  agent(node: Node, action: string, extra?: Record<string, string>): Promise<{code: number; reason?: string; stderr: string}>;
  sim(node: Node, argv: string[]): Promise<{code: number; stdout: string; stderr: string}>;
  device(node: Node): Promise<string>;
  sha(node: Node): Promise<string>;
  score(node: Node): Promise<string | undefined>;
  markers(): string[];
  preserved(): string[];
  simState(): Promise<SimSummary>;
  cleanup(): Promise<void>;
}

interface SimSummary {
  [node: string]: {role?: string; disk?: string; connection?: string};
}

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start');
  return cluster;
};

// A two-node resource r0 in a state directory the cluster node can see
// (/var/tmp: the node's /tmp is its own).
async function createPair(policy: string, flavor: '9' | '8.4', handlers = true): Promise<Pair> {
  const dir = mkdtempSync('/var/tmp/hct-drbd-');
  const SIM_BIN = copySimulator(dir).bin;
  const conf = join(dir, 'drbd.conf');
  writeFileSync(conf, '# resources are defined by fake-drbd init\n');
  const agentState = join(dir, 'agent');
  const handler = `${HACLOUD} drbd-split-brain --state-dir ${agentState}`;
  const simEnv = (node: Node) => ({FAKE_DRBD_NODE: node, FAKE_DRBD_STATE: join(dir, 'sim')});
  const sim = async (node: Node, argv: string[]) => {
    const [program = '', ...args] = argv;
    const r = await c().exec([join(SIM_BIN, program), ...args], {env: simEnv(node), reject: false, timeoutMs: 60_000});
    return {code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr};
  };
  const agent = async (node: Node, action: string, extra: Record<string, string> = {}) => {
    const r = await c().exec([AGENT, action], {
      env: {
        ...simEnv(node),
        PATH: `${SIM_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`,
        OCF_ROOT: '/usr/lib/ocf',
        OCF_RESOURCE_INSTANCE: 'drbd_r0',
        OCF_RESKEY_CRM_meta_on_node: node,
        OCF_RESKEY_CRM_meta_timeout: '60000',
        OCF_RESKEY_CRM_meta_interval: action === 'monitor' ? '10000' : '0',
        HA_RSCTMP: join(dir, 'rsctmp', node),
        OCF_RESKEY_drbd_resource: 'r0',
        OCF_RESKEY_drbdconf: conf,
        OCF_RESKEY_state_dir: agentState,
        OCF_RESKEY_victim_preserve_dir: join(dir, 'preserved'),
        OCF_RESKEY_split_brain_policy: policy,
        OCF_RESKEY_wfc_timeout: '2',
        ...(process.env.HCT_DEBUG ? {HA_debug: '1'} : {}),
        ...extra,
      },
      reject: false,
      timeoutMs: 90_000,
    });
    const reasons = r.stderr.split('\n').filter((l) => l.startsWith('ocf-exit-reason:'));
    return {code: r.exitCode ?? -1, reason: reasons.at(-1)?.slice('ocf-exit-reason:'.length), stderr: r.stderr};
  };
  const init = await sim('ctl1', [
    'fake-drbd', 'init', '--resource', 'r0', '--nodes', 'ctl1,ctl2', '--size-mib', '8', '--flavor', flavor,
    ...(handlers ? ['--handler', `split-brain=${handler}`, '--handler', `initial-split-brain=${handler}`] : []),
  ]);
  if (init.code !== 0) throw new Error(`fake-drbd init failed: ${init.stderr}`);
  const device = async (node: Node) => (await sim(node, ['drbdadm', 'sh-ll-dev', 'r0'])).stdout.trim();
  return {
    dir,
    agent,
    sim,
    device,
    sha: async (node) => createHash('sha256').update(readFileSync(await device(node))).digest('hex'),
    // The score as pacemaker-attrd holds it (the CIB has no status for the offline ctl2).
    score: async (node) => {
      const r = await c().exec(['attrd_updater', '--query', '--name', 'master-drbd_r0', '--node', node], {reject: false});
      return /value="(\d+)"/.exec(r.stdout)?.[1];
    },
    markers: () => (existsSync(agentState) ? readdirSync(agentState).filter((f) => f.startsWith('r0.split-brain.')) : []),
    preserved: () => (existsSync(join(dir, 'preserved')) ? readdirSync(join(dir, 'preserved')).filter((f) => f.endsWith('.img')) : []),
    // Each node's view in DRBD's own format (events2), read with lib/drbd.
    simState: async () => {
      const view: SimSummary = {};
      for (const node of NODES) {
        const state = parseEvents2((await sim(node, ['drbdsetup', 'events2', '--now', 'r0'])).stdout, 'r0');
        view[node] = {role: state.role, disk: state.devices[0]?.disk, connection: state.connections[0]?.connection ?? 'StandAlone'};
      }
      return view;
    },
    cleanup: async () => {
      for (const node of NODES) await agent(node, 'stop');
      await sim('ctl1', ['fake-drbd', 'teardown']);
      for (const node of NODES) {
        await c().exec(['attrd_updater', '--name', 'drbd-r0-facts', '--delete', '--node', node], {reject: false});
        await c().exec(['attrd_updater', '--name', 'master-drbd_r0', '--delete', '--node', node], {reject: false});
      }
      rmSync(dir, {recursive: true, force: true});
    },
  };
}

// Both nodes up, initial sync done, ctl1 Primary: the healthy pair.
async function healthyPair(pair: Pair): Promise<void> {
  for (const node of NODES) expect(await pair.agent(node, 'start')).toMatchObject({code: 0});
  expect((await pair.sim('ctl1', ['drbdadm', 'primary', '--force', 'r0'])).code).toBe(0);
  expect((await pair.sim('ctl1', ['drbdadm', 'secondary', 'r0'])).code).toBe(0);
  await waitUntil(async () => (await pair.agent('ctl2', 'monitor')).code === 0 && (await pair.score('ctl2')) === '10000', {
    what: 'initial sync: ctl2 UpToDate with score 10000',
    timeoutMs: 30_000,
  });
  expect(await pair.agent('ctl1', 'promote')).toMatchObject({code: 0});
  expect((await pair.agent('ctl1', 'monitor')).code).toBe(8);
  expect((await pair.agent('ctl2', 'monitor')).code).toBe(0);
  expect((await pair.sim('ctl1', ['fake-drbd', 'write', 'r0', '64'])).code).toBe(0);
}

// The link fails, Pacemaker promotes ctl2 too, both write; the link returns
// and DRBD's handshake finds the split brain.
async function splitBrain(pair: Pair, writes: Record<Node, number>, handlers = true): Promise<void> {
  expect((await pair.sim('ctl1', ['fake-drbd', 'link', 'down'])).code).toBe(0);
  expect(await pair.agent('ctl2', 'promote')).toMatchObject({code: 0});
  for (const node of NODES) expect((await pair.sim(node, ['fake-drbd', 'write', 'r0', String(writes[node])])).code).toBe(0);
  expect((await pair.sim('ctl1', ['fake-drbd', 'link', 'up'])).code).toBe(0);
  if (handlers) {
    await waitUntil(async () => pair.markers().length > 0, {what: 'the split-brain handler marker', timeoutMs: 20_000});
  } else {
    await waitUntil(async () => Object.values(await pair.simState()).every((n) => n.connection === 'StandAlone'),
      {what: 'both nodes StandAlone after the handshake', timeoutMs: 20_000});
  }
}

// Monitors on both nodes, twice, so each has read the other's fresh facts.
async function monitorBoth(pair: Pair): Promise<void> {
  for (let round = 0; round < 2; round++) {
    for (const node of NODES) {
      const r = await pair.agent(node, 'monitor');
      // HCT_DEBUG=1 shows what the agent logged.
      if (process.env.HCT_DEBUG) {
        const q = await c().exec(['attrd_updater', '--query', '--all', '--name', 'drbd-r0-facts'], {reject: false});
        process.stderr.write(`--- ${node} monitor: ${r.code}\n${r.stderr}\nattrd: ${q.exitCode} ${q.stdout} ${q.stderr}\n`);
      }
    }
  }
}

async function expectRecovered(pair: Pair, survivor: Node, survivorSha: string): Promise<void> {
  await waitUntil(
    async () => {
      await monitorBoth(pair);
      const s = await pair.simState();
      return NODES.every((n) => s[n]?.connection === 'Connected' && s[n]?.disk === 'UpToDate');
    },
    {what: 'both nodes Connected and UpToDate after recovery', timeoutMs: 60_000, intervalMs: 1000},
  );
  const victim = NODES.find((n) => n !== survivor) as Node;
  expect(await pair.sha(survivor)).toBe(survivorSha);
  expect(await pair.sha(victim)).toBe(survivorSha);
  await monitorBoth(pair);
  expect(pair.markers()).toEqual([]);
}

describe.each([
  ['9', 'discard-least-changes', {ctl1: 300, ctl2: 40}, 'ctl1', 'with handlers'],
  ['8.4', 'discard-least-changes', {ctl1: 300, ctl2: 40}, 'ctl1', 'with handlers'],
  ['9', 'discard-younger-primary', {ctl1: 40, ctl2: 300}, 'ctl1', 'with handlers'],
  ['9', 'discard-node:ctl1', {ctl1: 300, ctl2: 40}, 'ctl2', 'with handlers'],
  // No split-brain handler configured: found from the generation identifiers alone.
  ['9', 'discard-least-changes', {ctl1: 300, ctl2: 40}, 'ctl1', 'without handlers'],
] as const)('DRBD %s, split_brain_policy=%s (writes %j, survivor %s, %s)', (flavor, policy, writes, survivor, handlers) => {
  const victim: Node = survivor === 'ctl1' ? 'ctl2' : 'ctl1';
  let pair: Pair;
  beforeAll(async () => {
    pair = await createPair(policy, flavor, handlers === 'with handlers');
  });
  afterAll(async () => pair?.cleanup());

  test(`the survivor is ${survivor}; the victim's data is preserved, then replaced by the survivor's`, async () => {
    await healthyPair(pair);
    await splitBrain(pair, writes, handlers === 'with handlers');
    const victimSha = await pair.sha(victim);
    const survivorSha = await pair.sha(survivor);
    expect(victimSha).not.toBe(survivorSha);

    await monitorBoth(pair);
    // Only the survivor keeps a promotion score.
    expect(await pair.score(survivor)).toBe('10000');
    expect(await pair.score(victim)).toBeUndefined();
    // The victim is still Primary: nothing is discarded until Pacemaker demotes it.
    expect(pair.preserved()).toEqual([]);
    expect(await pair.sha(victim)).toBe(victimSha);
    // Pacemaker demotes the node that lost its score; the victim's turn follows.
    expect(await pair.agent(victim, 'demote')).toMatchObject({code: 0});

    await expectRecovered(pair, survivor, survivorSha);
    const images = pair.preserved();
    expect(images).toHaveLength(1);
    const image = join(pair.dir, 'preserved', images[0] as string);
    expect(createHash('sha256').update(readFileSync(image)).digest('hex')).toBe(victimSha);
    expect(readFileSync(`${image}.sha256`, 'utf8')).toContain(victimSha);
  });
});

describe('a decision taken on the facts of the split', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await createPair('discard-least-changes', '8.4');
  });
  afterAll(async () => pair?.cleanup());

  test('stands while the diverged sides keep writing, even when the live counts would now pick the other side', async () => {
    await healthyPair(pair);
    await splitBrain(pair, {ctl1: 300, ctl2: 40});
    await monitorBoth(pair);
    expect(await pair.score('ctl1')).toBe('10000');
    expect(await pair.score('ctl2')).toBeUndefined();
    // ctl2 keeps writing until Pacemaker demotes it: live, it now changed more than ctl1.
    expect((await pair.sim('ctl2', ['fake-drbd', 'write', 'r0', '900'])).code).toBe(0);
    await monitorBoth(pair);
    expect(await pair.score('ctl1')).toBe('10000');
    expect(await pair.score('ctl2')).toBeUndefined();
    const survivorSha = await pair.sha('ctl1');
    const victimSha = await pair.sha('ctl2');
    expect(await pair.agent('ctl2', 'demote')).toMatchObject({code: 0});
    await expectRecovered(pair, 'ctl1', survivorSha);
    const images = pair.preserved();
    expect(images).toHaveLength(1);
    expect(createHash('sha256').update(readFileSync(join(pair.dir, 'preserved', images[0] as string))).digest('hex')).toBe(victimSha);
    // Connected again: nothing of this split is left to judge the next one by.
    expect(readdirSync(join(pair.dir, 'agent')).filter((f) => f.includes('split-facts'))).toEqual([]);
  });
});

describe('a promotion before both sides froze their facts', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await createPair('discard-least-changes', '8.4');
  });
  afterAll(async () => pair?.cleanup());

  test('waits for the peer\'s facts, then the victim refuses; it never becomes a second Primary', async () => {
    await healthyPair(pair);
    // Both sides Primary and writing while the link is down, both demoted before it returns: 0 Primaries at
    // reconnect, and no monitor has seen the split yet when Pacemaker tries to promote the victim.
    expect((await pair.sim('ctl1', ['fake-drbd', 'link', 'down'])).code).toBe(0);
    expect(await pair.agent('ctl2', 'promote')).toMatchObject({code: 0});
    for (const [node, kib] of [['ctl1', 300], ['ctl2', 40]] as const) {
      expect((await pair.sim(node, ['fake-drbd', 'write', 'r0', String(kib)])).code).toBe(0);
      expect(await pair.agent(node, 'demote')).toMatchObject({code: 0});
    }
    expect((await pair.sim('ctl1', ['fake-drbd', 'link', 'up'])).code).toBe(0);
    await waitUntil(async () => pair.markers().length === 2, {what: 'the split-brain handler markers', timeoutMs: 20_000});
    const promote = pair.agent('ctl2', 'promote');
    // The survivor's monitor comes while the victim's promote waits.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await pair.agent('ctl1', 'monitor')).code).toBe(0);
    const refused = await promote;
    expect(refused.code).toBe(1);
    expect(refused.reason).toContain('ctl2 is the victim and will not be promoted');
    expect((await pair.simState()).ctl2?.role).toBe('Secondary');
    expect(await pair.agent('ctl1', 'promote')).toMatchObject({code: 0});
    const survivorSha = await pair.sha('ctl1');
    await expectRecovered(pair, 'ctl1', survivorSha);
  });
});

describe('a victim that cannot preserve its data', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await createPair('discard-least-changes', '9');
  });
  afterAll(async () => pair?.cleanup());

  test('keeps it, stays disconnected, says why, and refuses promotion', async () => {
    await healthyPair(pair);
    await splitBrain(pair, {ctl1: 300, ctl2: 40});
    const victimSha = await pair.sha('ctl2');
    const unwritable = {OCF_RESKEY_victim_preserve_dir: '/proc/hacloud-cannot-write-here'};
    await monitorBoth(pair);
    expect(await pair.agent('ctl2', 'demote', unwritable)).toMatchObject({code: 0});
    const monitor = await pair.agent('ctl2', 'monitor', unwritable);
    expect(monitor.code).toBe(1);
    expect(monitor.reason).toContain('victim keeps its data and stays disconnected');
    const promote = await pair.agent('ctl2', 'promote', {...unwritable, OCF_RESKEY_CRM_meta_timeout: '6000'});
    expect(promote.code).toBe(1);
    expect(promote.reason).toContain('ctl2 is the victim and will not be promoted');
    expect(await pair.score('ctl2')).toBeUndefined();
    expect((await pair.simState()).ctl2?.connection).toBe('StandAlone');
    expect(await pair.sha('ctl2')).toBe(victimSha);
    expect(pair.preserved()).toEqual([]);
    // The survivor keeps serving.
    expect((await pair.agent('ctl1', 'monitor')).code).toBe(8);
  });
});

describe('split_brain_policy=manual', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await createPair('manual', '9');
  });
  afterAll(async () => pair?.cleanup());

  test('detects and reports, never discards', async () => {
    await healthyPair(pair);
    await splitBrain(pair, {ctl1: 300, ctl2: 40});
    const before = {ctl1: await pair.sha('ctl1'), ctl2: await pair.sha('ctl2')};
    for (const node of NODES) await pair.agent(node, 'demote');
    await monitorBoth(pair);
    await monitorBoth(pair);
    const s = await pair.simState();
    expect(NODES.map((n) => s[n]?.connection)).not.toContain('Connected');
    expect(pair.preserved()).toEqual([]);
    expect({ctl1: await pair.sha('ctl1'), ctl2: await pair.sha('ctl2')}).toEqual(before);
    expect(pair.markers().length).toBeGreaterThan(0);
  });
});
