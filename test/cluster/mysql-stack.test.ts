// The database stack of packaging/examples/mysql-on-drbd.crm, loaded verbatim
// into a real Pacemaker: DRBD (simulated, promotable) → fs (real ext4 on the
// simulated device) → vip → mysql (real MariaDB). The node ctl1 sees /etc,
// /dev, /var/lib and /var/log through overlays, so the example's paths
// (/dev/drbd0, /etc/hacloud/mysql-monitor.cnf, /var/lib/mysql) exist inside it
// without touching this machine. A client in a second network namespace
// writes rows through the VIP; they survive a restart of the group and a
// kill -9 of mariadbd.
import {execa} from 'execa';
import {readFileSync} from 'node:fs';
import {createNetns, createVethPair, deleteNetns, uniqueName} from '../helpers/netns';
import {waitUntil} from '../helpers/wait';
import {failCount, findResource, isStartedOn, startFailure, type ClusterStatus} from './crm-mon';
import {requireOcfAgent, startCluster, type Cluster} from './harness';
import {createStackFiles, EXAMPLE, prepareData, prepareNode, STACK, type StackFiles, VIP} from './mysql-stack-setup';

jest.setTimeout(300_000);

const NODE = 'ctl1';

let cluster: Cluster | undefined;
let files: StackFiles | undefined;
let peer = '';

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start (see beforeAll)');
  return cluster;
};
const f = (): StackFiles => {
  if (!files) throw new Error('stack files were not prepared (see beforeAll)');
  return files;
};

const stackRunning = (s: ClusterStatus): boolean =>
  findResource(s, 'drbd_r0')?.role === 'Promoted' && STACK.every((id) => isStartedOn(s, id, NODE));

const stackFailure = (s: ClusterStatus): string | undefined =>
  ['drbd_r0', ...STACK].map((id) => startFailure(s, id)).find((reason) => reason !== undefined);

// One statement through the VIP from the client namespace, as the application user.
const sql = (statement: string) =>
  execa('ip', ['netns', 'exec', peer, 'mariadb', `--defaults-extra-file=${f().appCnf}`, '--protocol=TCP',
    '-h', VIP, '--connect-timeout=3', '-N', '-B', '-D', 'hacloud_test', '-e', statement], {reject: false, timeout: 20_000, stdin: 'ignore'});

const rowIds = async (): Promise<number[]> => {
  const r = await sql('SELECT id FROM acked ORDER BY id');
  if (r.exitCode !== 0) throw new Error(`SELECT through the VIP failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map(Number);
};

beforeAll(async () => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql']) requireOcfAgent(`ocf:hacloud:${agent}`);
  files = await createStackFiles();
  await prepareData(files);
  cluster = await startCluster({
    nodeName: NODE,
    binds: [{source: files.wrappers, target: '/usr/local/sbin'}, {source: files.srv, target: '/srv'}],
    overlays: ['/etc', '/dev', '/var/lib', '/var/log'],
  });
  await cluster.exec(['cibadmin', '--create', '--scope', 'nodes', '--xml-text', '<node id="2" uname="ctl2"/>']);
  peer = uniqueName();
  await createNetns(peer);
  await createVethPair({nsA: cluster.netns, ifA: 'eth0', addrA: '203.0.113.1/24', nsB: peer, ifB: 'eth0', addrB: '203.0.113.2/24'});
  await prepareNode(files, 'ctl1', (argv, o) => c().exec(argv, o));
}, 200_000);

afterAll(async () => {
  try {
    await cluster?.stop();
  } finally {
    if (peer) await deleteNetns(peer);
    await files?.cleanup();
  }
}, 180_000);

test('the example configuration starts the whole stack in order on the Promoted node', async () => {
  await c().configure(readFileSync(EXAMPLE, 'utf8'));
  const verify = await c().exec(['crm_verify', '--live-check'], {reject: false});
  expect(verify.stderr.trim()).toBe('');
  expect(verify.exitCode).toBe(0);
  const s = await c().waitFor(stackRunning, {what: 'drbd Promoted, fs, vip and mysql started', timeoutMs: 180_000, failIf: stackFailure});
  // The executor's call ids give the order: promote, then the group member by member.
  const call = (resource: string, task: string) =>
    s.history.find((h) => h.resource === resource && h.node === NODE)?.operations.find((o) => o.task === task)?.call ?? Number.NaN;
  const calls = [call('drbd_r0', 'promote'), call('fs_mysql', 'start'), call('vip_db', 'start'), call('mysql', 'start')];
  expect(calls).toEqual([...calls].sort((a, b) => a - b));
  expect(calls.every(Number.isFinite)).toBe(true);
  // Mounted from the DRBD device inside the node, MariaDB on the VIP.
  const mounts = (await c().exec(['cat', '/proc/self/mountinfo'])).stdout;
  expect(mounts).toMatch(/ \/var\/lib\/mysql [^\n]* - ext4 /);
  expect((await sql('SELECT @@bind_address')).stdout.trim()).toBe(VIP);
});

test('rows written through the VIP survive a restart of the group', async () => {
  for (let id = 1; id <= 20; id++) expect((await sql(`INSERT INTO acked (id) VALUES (${id})`)).exitCode).toBe(0);
  const restart = await c().crm(['resource', 'restart', 'g_mysql'], {timeoutMs: 240_000, reject: false});
  expect(restart.exitCode).toBe(0);
  await c().waitFor(stackRunning, {what: 'stack running after the restart', timeoutMs: 120_000, failIf: stackFailure});
  await waitUntil(async () => (await sql('SELECT 1')).exitCode === 0, {what: 'MariaDB answering through the VIP', timeoutMs: 30_000});
  expect(await rowIds()).toEqual(Array.from({length: 20}, (_, i) => i + 1));
});

test('after kill -9 of mariadbd Pacemaker restarts it and no acknowledged row is missing', async () => {
  const before = failCount(await c().status(), 'mysql');
  const acked: number[] = [];
  let killed = false;
  let restartedAt = 0;
  // Writes one row after another; an id counts once the server acknowledged it.
  for (let id = 1000; ; id++) {
    const r = await sql(`INSERT INTO acked (id) VALUES (${id})`);
    if (r.exitCode === 0) acked.push(id);
    if (!killed && acked.length >= 15) {
      await c().exec(['pkill', '-KILL', '-x', 'mariadbd']);
      killed = true;
    }
    if (killed && restartedAt === 0) {
      const s = await c().status();
      if (failCount(s, 'mysql') > before && isStartedOn(s, 'mysql', NODE)) restartedAt = id;
    }
    // Some writes after the recovery too.
    if (restartedAt !== 0 && acked.filter((a) => a > restartedAt).length >= 5) break;
    if (id > 1000 + 3000) throw new Error(`mysql was not recovered: ${await c().diagnostics()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(killed).toBe(true);
  const present = new Set(await rowIds());
  expect(acked.filter((id) => !present.has(id))).toEqual([]);
  // Nothing else moved: still on this node with the Promoted DRBD.
  expect(stackRunning(await c().status())).toBe(true);
});

test('no password in the processes of the node or in the cluster log', async () => {
  const ps = (await c().exec(['ps', '-eo', 'args'])).stdout;
  expect(ps).toContain('mariadbd');
  const log = c().node.logTail('pacemaker', 100_000);
  expect(log).toContain('mysql');
  for (const secret of [f().monitorPassword, f().appPassword, f().backupPassword]) {
    expect(ps).not.toContain(secret);
    expect(log).not.toContain(secret);
  }
});

test('stopping the group releases the mount and leaves DRBD ready to demote', async () => {
  await c().crm(['resource', 'stop', 'g_mysql'], {timeoutMs: 200_000});
  await c().waitFor((s) => STACK.every((id) => !findResource(s, id)?.active), {what: 'group stopped', timeoutMs: 180_000});
  expect((await c().exec(['pgrep', '-x', 'mariadbd'], {reject: false})).exitCode).toBe(1);
  expect((await c().exec(['cat', '/proc/self/mountinfo'])).stdout).not.toContain(' /var/lib/mysql ');
  await c().crm(['resource', 'demote', 'ms_drbd_r0']);
  await c().waitFor((s) => findResource(s, 'drbd_r0')?.role === 'Unpromoted', {what: 'drbd demoted', timeoutMs: 60_000});
});
