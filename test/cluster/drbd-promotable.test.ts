// The drbd agent as a promotable clone under a real Pacemaker: the cluster
// node ctl1 runs the agent over the drbd-utils simulator (put on
// Pacemaker's PATH by a bind mount over /usr/local/sbin); the test plays the
// peer ctl2's DRBD itself. Pacemaker promotes on the score the agent
// publishes, demotes and stops on request.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {parseEvents2} from '../../lib/drbd/events2';
import {waitUntil} from '../helpers/wait';
import {findResource, startFailure, type ClusterStatus} from './crm-mon';
import {requireOcfAgent, startCluster, type Cluster} from './harness';
import {copySimulator, writeSimulatorWrappers} from './simulator-copy';

jest.setTimeout(240_000);

let SIM = '';
let cluster: Cluster | undefined;
let dir = '';

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start');
  return cluster;
};

// The simulator as the given node (the cluster node itself is ctl1).
const sim = (node: 'ctl1' | 'ctl2', program: string, args: string[]) =>
  execa(process.execPath, [SIM, program, ...args], {env: {FAKE_DRBD_NODE: node, FAKE_DRBD_STATE: join(dir, 'sim')}, reject: false});

const roleOf = async (node: 'ctl1' | 'ctl2') => parseEvents2((await sim(node, 'drbdsetup', ['events2', '--now', 'r0'])).stdout, 'r0');

const instanceRole = (s: ClusterStatus): string | undefined => {
  const r = findResource(s, 'drbd_r0');
  return r?.active ? r.role : r?.role;
};

const score = async (): Promise<string | undefined> => {
  const r = await c().exec(['crm_attribute', '--promotion=drbd_r0', '--lifetime', 'reboot', '--query', '--quiet', '--node', 'ctl1'], {reject: false});
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
};

beforeAll(async () => {
  requireOcfAgent('ocf:hacloud:drbd');
  dir = mkdtempSync('/var/tmp/hct-drbd-pcmk-');
  SIM = copySimulator(dir).script;
  const bin = writeSimulatorWrappers(dir, SIM, join(dir, 'sim'));
  writeFileSync(join(dir, 'drbd.conf'), '# resources are defined by fake-drbd init\n');
  for (const [node, program, args] of [
    ['ctl1', 'fake-drbd', ['init', '--resource', 'r0', '--nodes', 'ctl1,ctl2', '--size-mib', '8']],
    ['ctl1', 'drbdadm', ['up', 'r0']],
    ['ctl2', 'drbdadm', ['up', 'r0']],
    ['ctl1', 'drbdadm', ['primary', '--force', 'r0']],
    ['ctl1', 'drbdadm', ['secondary', 'r0']],
  ] as const) {
    const r = await sim(node, program, [...args]);
    if (r.exitCode !== 0) throw new Error(`${node} ${program} ${args.join(' ')}: ${r.stderr}`);
  }
  cluster = await startCluster({nodeName: 'ctl1', binds: [{source: bin, target: '/usr/local/sbin'}]});
  await cluster.exec(['cibadmin', '--create', '--scope', 'nodes', '--xml-text', '<node id="2" uname="ctl2"/>']);
}, 150_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) {
    for (const node of ['ctl1', 'ctl2'] as const) await sim(node, 'drbdadm', ['down', 'r0']);
    await sim('ctl1', 'fake-drbd', ['teardown']);
    rmSync(dir, {recursive: true, force: true});
  }
}, 120_000);

test('Pacemaker promotes the clone on the score the agent publishes', async () => {
  await c().crm([
    'configure', 'primitive', 'drbd_r0', 'ocf:hacloud:drbd',
    'params', 'drbd_resource=r0', `drbdconf=${join(dir, 'drbd.conf')}`, `state_dir=${join(dir, 'agent')}`, 'wfc_timeout=1',
    'op', 'monitor', 'interval=10s', 'role=Promoted', 'timeout=20s',
    'op', 'monitor', 'interval=20s', 'role=Unpromoted', 'timeout=20s',
  ]);
  await c().crm([
    'configure', 'clone', 'ms_drbd_r0', 'drbd_r0',
    'meta', 'promotable=true', 'promoted-max=1', 'promoted-node-max=1', 'clone-max=2', 'clone-node-max=1', 'notify=true',
  ]);
  await c().waitFor((s) => instanceRole(s) === 'Promoted', {
    what: 'drbd_r0 Promoted on ctl1', timeoutMs: 90_000, failIf: (s) => startFailure(s, 'drbd_r0'),
  });
  expect((await roleOf('ctl1')).role).toBe('Primary');
  // Primary, local and peer disks UpToDate: the top of the score table, in the CIB.
  expect(await score()).toBe('10000');
});

test('demotion and promotion follow the target role', async () => {
  await c().crm(['resource', 'demote', 'ms_drbd_r0']);
  await c().waitFor((s) => instanceRole(s) === 'Unpromoted', {what: 'drbd_r0 Unpromoted', timeoutMs: 60_000});
  expect((await roleOf('ctl1')).role).toBe('Secondary');
  expect(await score()).toBe('10000');
  await c().crm(['resource', 'promote', 'ms_drbd_r0']);
  await c().waitFor((s) => instanceRole(s) === 'Promoted', {what: 'drbd_r0 Promoted again', timeoutMs: 60_000});
  expect((await roleOf('ctl1')).role).toBe('Primary');
});

test('stopping the clone brings DRBD down and removes the score', async () => {
  await c().crm(['resource', 'stop', 'ms_drbd_r0']);
  await c().waitFor((s) => !findResource(s, 'drbd_r0')?.active, {what: 'drbd_r0 stopped', timeoutMs: 60_000});
  expect((await roleOf('ctl1')).exists).toBe(false);
  await waitUntil(async () => (await score()) === undefined, {what: 'promotion score removed', timeoutMs: 10_000});
  await c().crm(['configure', 'delete', 'ms_drbd_r0']);
});
