// Cluster test of the keystone agent: Pacemaker starts Debian's real keystone
// (uWSGI, SQLite under /var/tmp, 127.0.0.1:25020 inside the node), notices a
// kill -9 of the uWSGI master through the monitor and starts it again.
import {rmSync} from 'node:fs';
import {createKeystone, destroyLayout, layoutProcesses, type KeystoneLayout} from '../helpers/openstack';
import {failCount, isStartedOn, startFailure} from './crm-mon';
import {requireOcfAgent, startCluster, type Cluster} from './harness';

jest.setTimeout(300_000);

const RSC = 'keystone';
const PIDFILE = `/run/resource-agents/hacloud/${RSC}/keystone.pid`;
let cluster: Cluster | undefined;
let layout: KeystoneLayout | undefined;

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start (see beforeAll)');
  return cluster;
};
const mainPid = async (): Promise<string> => (await c().exec(['cat', PIDFILE])).stdout.split('\n')[0] ?? '';

beforeAll(async () => {
  requireOcfAgent('ocf:hacloud:keystone');
  layout = await createKeystone(25020);
  cluster = await startCluster();
}, 240_000);

afterAll(async () => {
  try {
    await cluster?.stop();
  } finally {
    if (layout) for (const pid of layoutProcesses(layout)) process.kill(pid, 'SIGKILL');
    destroyLayout(layout);
    rmSync(`/run/resource-agents/hacloud/${RSC}`, {recursive: true, force: true});
  }
}, 120_000);

test('Pacemaker starts keystone and restarts it after a kill -9 of the uWSGI master', async () => {
  const p = layout?.params ?? {};
  await c().configure(
    `primitive ${RSC} ocf:hacloud:keystone params config="${p.config}" bind_address=127.0.0.1 port=25020 ` +
      `log_file="${p.log_file}" extra_args="--processes 2 --threads 4" ` +
      'op start timeout=120s interval=0 op stop timeout=60s interval=0 op monitor interval=5s timeout=30s OCF_CHECK_LEVEL=10\n',
  );
  await c().waitFor((s) => isStartedOn(s, RSC, c().nodeName), {
    what: `${RSC} Started`, timeoutMs: 150_000, failIf: (s) => startFailure(s, RSC),
  });
  const first = await mainPid();
  expect(Number(first)).toBeGreaterThan(1);

  const t0 = Date.now();
  await c().exec(['kill', '-9', first]);
  await c().waitFor((s) => failCount(s, RSC) > 0, {what: `a failed monitor of ${RSC}`, timeoutMs: 60_000});
  await c().waitFor((s) => isStartedOn(s, RSC, c().nodeName), {what: `${RSC} Started again`, timeoutMs: 150_000});
  const second = await mainPid();
  expect(second).not.toBe(first);
  process.stderr.write(`keystone recovered ${((Date.now() - t0) / 1000).toFixed(1)} s after kill -9\n`);
  const check = await c().exec(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:25020/v3'], {reject: false});
  expect(check.stdout).toBe('200');
});
