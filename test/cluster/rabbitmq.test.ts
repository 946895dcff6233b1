// Cluster test of the rabbitmq agent under a real single-node Pacemaker
// (test/cluster/harness.ts): Pacemaker starts the broker (single mode), a
// kill -9 of its Erlang VM is noticed by the monitor and recovered; then the
// same node as a one-member clone in cluster mode publishes its member
// attribute through the real attrd and withdraws it on stop. The node's data
// lives under /var/tmp/hct-rmq-pcmk-* on the host; the broker listens on
// 127.0.0.1:25742 inside the cluster node's network namespace.
import {createRabbitLayout, nodeProcesses, type RabbitLayout} from '../helpers/rabbitmq';
import {rmSync} from 'node:fs';
import {secondsSince, waitUntil} from '../helpers/wait';
import {failCount, findResource, isStartedOn, startFailure} from './crm-mon';
import {type Cluster, requireOcfAgent, startCluster} from './harness';

jest.setTimeout(300_000);

const AGENT = 'ocf:hacloud:rabbitmq';
let cluster: Cluster | undefined;
let layout: RabbitLayout | undefined;
const timings: string[] = [];

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start (see beforeAll)');
  return cluster;
};
const l = (): RabbitLayout => {
  if (!layout) throw new Error('no layout');
  return layout;
};
const params = (): string[] => Object.entries(l().params).map(([k, v]) => `${k}=${v}`);
const beamPids = async (): Promise<number[]> => {
  const r = await c().exec(['pgrep', '-x', 'beam.smp'], {reject: false});
  return r.stdout.split('\n').filter(Boolean).map(Number);
};

beforeAll(async () => {
  requireOcfAgent(AGENT);
  layout = createRabbitLayout('pcmk', 'hctpcmk@localhost', 25742);
  cluster = await startCluster();
  timings.push(`cluster up: ${(cluster.startupMs / 1000).toFixed(1)} s`);
}, 150_000);

afterAll(async () => {
  try {
    await cluster?.stop();
  } finally {
    if (layout) {
      for (const p of nodeProcesses(layout.nodename)) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(layout.root, {recursive: true, force: true});
    }
    if (timings.length) process.stderr.write(`rabbitmq cluster test timings: ${timings.join('; ')}\n`);
  }
}, 120_000);

test('Pacemaker starts the broker (single mode)', async () => {
  const t0 = Date.now();
  await c().crm(['configure', 'primitive', 'rmq', AGENT, 'params', ...params(),
    'op', 'start', 'timeout=120s', 'op', 'stop', 'timeout=120s', 'op', 'monitor', 'interval=5s', 'timeout=30s']);
  await c().waitFor((s) => isStartedOn(s, 'rmq', c().nodeName), {
    what: `rmq Started on ${c().nodeName}`, timeoutMs: 120_000, failIf: (s) => startFailure(s, 'rmq'),
  });
  timings.push(`started: ${secondsSince(t0)} s`);
  expect(await beamPids()).toHaveLength(1);
});

test('kill -9 of beam.smp: the monitor notices, Pacemaker restarts the broker', async () => {
  const [before] = await beamPids();
  const t0 = Date.now();
  await c().exec(['kill', '-9', String(before)]);
  await c().waitFor((s) => failCount(s, 'rmq') > 0, {what: 'a fail-count for rmq', timeoutMs: 60_000});
  timings.push(`failure seen: ${secondsSince(t0)} s`);
  await c().waitFor((s) => isStartedOn(s, 'rmq', c().nodeName) && !findResource(s, 'rmq')?.failed, {
    what: 'rmq Started again', timeoutMs: 120_000,
  });
  const after = await waitUntil(async () => {
    const pids = await beamPids();
    return pids.length === 1 && pids[0] !== before ? pids : undefined;
  }, {what: 'a new beam.smp', timeoutMs: 30_000});
  timings.push(`recovered: ${secondsSince(t0)} s`);
  expect(after[0]).not.toBe(before);
  // The broker answers again (depth 0 monitor from inside the node).
  const env = Object.fromEntries([...Object.entries(l().params).map(([k, v]) => [`OCF_RESKEY_${k}`, v]), ['OCF_RESOURCE_INSTANCE', 'rmq']]);
  const monitor = await c().exec(['/usr/lib/ocf/resource.d/hacloud/rabbitmq', 'monitor'], {env, reject: false});
  expect(monitor.exitCode).toBe(0);
});

test('stopped by Pacemaker: nothing of the node is left', async () => {
  await c().crm(['resource', 'stop', 'rmq']);
  await c().waitFor((s) => findResource(s, 'rmq')?.role === 'Stopped', {what: 'rmq Stopped', timeoutMs: 120_000});
  expect(await beamPids()).toEqual([]);
  expect(nodeProcesses(l().nodename)).toEqual([]);
  await c().crm(['configure', 'delete', 'rmq']);
});

test('cluster mode clone: the first member bootstraps and publishes its attribute through attrd; stop withdraws it', async () => {
  await c().crm(['configure', 'primitive', 'rmqc', AGENT, 'params', 'mode=cluster', 'cluster_check_interval=0', ...params(),
    'op', 'start', 'timeout=120s', 'op', 'stop', 'timeout=120s', 'op', 'monitor', 'interval=5s', 'timeout=30s']);
  await c().crm(['configure', 'clone', 'cl_rmqc', 'rmqc']);
  await c().waitFor((s) => isStartedOn(s, 'rmqc', c().nodeName), {
    what: 'rmqc Started', timeoutMs: 120_000, failIf: (s) => startFailure(s, 'rmqc'),
  });
  const query = () => c().exec(['attrd_updater', '--query', '--all', '--name', 'rmq-node-rmqc'], {reject: false});
  const published = await waitUntil(async () => ((await query()).stdout.includes('hctpcmk@localhost') ? (await query()).stdout : undefined), {
    what: 'rmq-node-rmqc in attrd', timeoutMs: 30_000,
  });
  expect(published).toMatch(new RegExp(`host="${c().nodeName}" value="hctpcmk@localhost"`));
  // A few monitors with the rabbitmqctl partition check (interval 0) pass.
  await new Promise((r) => setTimeout(r, 12_000));
  const s = await c().status();
  expect(failCount(s, 'rmqc')).toBe(0);
  await c().crm(['resource', 'stop', 'cl_rmqc']);
  await c().waitFor((st) => findResource(st, 'rmqc')?.role === 'Stopped', {what: 'rmqc Stopped', timeoutMs: 120_000});
  await waitUntil(async () => !(await query()).stdout.includes('hctpcmk@localhost'), {what: 'attribute withdrawn', timeoutMs: 20_000});
  expect(nodeProcesses(l().nodename)).toEqual([]);
  await c().crm(['configure', 'delete', 'cl_rmqc']);
});
