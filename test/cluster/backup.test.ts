// The backup agent under a real single-node Pacemaker, configured as in
// packaging/examples/mysql-on-drbd.crm (colocated with and ordered after the
// group holding mysql), with a real MariaDB (its own layout under /var/tmp,
// which the node sees). The schedule runs on the node of the database,
// once; a stop/start of the group moves it (here: onto the same node, the
// single-node stand-in for a failover), and it keeps taking sets afterwards.
import {randomBytes} from 'node:crypto';
import {mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {createBackupUser} from '../helpers/backup';
import {installedAgents, runInstalledAgent} from '../helpers/installed-agent';
import {createLayout, destroyLayout, type MariaDbLayout} from '../helpers/mariadb';
import {waitUntil} from '../helpers/wait';
import {failCount, findResource, isStartedOn, startFailure, type ClusterStatus} from './crm-mon';
import {requireOcfAgent, startCluster, type Cluster} from './harness';

jest.setTimeout(300_000);

const NODE = 'ctl1';
const PASSWORD = `hctBk${randomBytes(8).toString('hex')}`;
let cluster: Cluster | undefined;
let layout: MariaDbLayout | undefined;
let backups = '';

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start (see beforeAll)');
  return cluster;
};
const l = (): MariaDbLayout => {
  if (!layout) throw new Error('no layout');
  return layout;
};
const running = (s: ClusterStatus) => isStartedOn(s, 'mysql', NODE) && isStartedOn(s, 'db_backup', NODE);
const failure = (s: ClusterStatus) => ['mysql', 'db_backup'].map((id) => startFailure(s, id)).find((r) => r !== undefined);
const sets = (type: 'full' | 'diff') => readdirSync(backups).filter((n) => n.endsWith(`Z-${type}`)).sort();
const status = () => JSON.parse(readFileSync(join(backups, 'status.json'), 'utf8')) as {pid: number; node: string; armedAt: string; lastRun?: {result: string}};
// The scheduler processes inside the node (its own pid namespace).
const schedulers = async (): Promise<number[]> => {
  // "[b]": the pattern must not match the command line of the exec wrapper carrying it.
  const r = await c().exec(['pgrep', '-f', '[b]ackup daemon --config /run/resource-agents/hacloud/db_backup/'], {reject: false});
  return r.stdout.split('\n').filter(Boolean).map(Number);
};

function configuration(): string {
  const p = l().params;
  return `
primitive mysql ocf:hacloud:mysql \\
	params datadir=${p.datadir} socket=${p.socket} pid=${p.pid} log=${p.log} bind_address=127.0.0.1 port=${p.port} additional_parameters="${p.additional_parameters}" \\
	op start timeout=120s interval=0s op stop timeout=120s interval=0s \\
	op monitor interval=20s timeout=30s
group g_mysql mysql
primitive db_backup ocf:hacloud:backup \\
	params backup_dir=${backups} credentials=${join(l().root, 'hcbackup.cnf')} socket=${p.socket} datadir=${p.datadir} full_interval=10m differential_interval=6s overdue_grace=60s \\
	op start timeout=60s interval=0s op stop timeout=120s interval=0s \\
	op monitor interval=10s timeout=30s \\
	op monitor interval=15s timeout=30s OCF_CHECK_LEVEL=10
colocation col_db_backup_with_mysql inf: db_backup g_mysql
order ord_mysql_before_db_backup Mandatory: g_mysql:start db_backup:start
`;
}

beforeAll(async () => {
  for (const agent of ['mysql', 'backup']) requireOcfAgent(`ocf:hacloud:${agent}`);
  if (!(await installedAgents()).includes('backup')) throw new Error('the installed hacloud has no backup agent: run make install in this tree');
  layout = createLayout('clbk', 23409);
  // Initialised and given the backup account on the host, then stopped: Pacemaker runs it.
  const db = (action: string) => runInstalledAgent('mysql', action, {instance: 'cl-backup-prep', timeoutMs: 120_000, params: {...l().params, enable_creation: 'true'}});
  const started = await db('start');
  if (started.code !== 0) throw new Error(`mysql start: ${started.reason}`);
  await createBackupUser(l(), 'hcbackup', PASSWORD);
  if ((await db('stop')).code !== 0) throw new Error('mysql stop failed');
  rmSync('/run/resource-agents/hacloud/cl-backup-prep', {recursive: true, force: true});
  backups = join(l().root, 'backups');
  mkdirSync(backups, {mode: 0o700});
  cluster = await startCluster({nodeName: NODE});
}, 200_000);

afterAll(async () => {
  try {
    await cluster?.stop();
  } finally {
    destroyLayout(layout);
  }
}, 180_000);

test('the schedule runs once, on the node of the database, and takes a full then differentials', async () => {
  await c().configure(configuration());
  await c().waitFor(running, {what: 'mysql and db_backup started', timeoutMs: 180_000, failIf: failure});
  expect(await schedulers()).toHaveLength(1);
  await waitUntil(async () => sets('full').length >= 1 && sets('diff').length >= 1, {what: 'a full and a differential set', timeoutMs: 90_000, intervalMs: 500});
  const s = status();
  expect(s.node).toBe(NODE);
  expect(await schedulers()).toEqual([s.pid]);
});

test('a stop/start of the group moves the schedule, which keeps working afterwards', async () => {
  const before = status();
  const [oldPid] = await schedulers();
  const restart = await c().crm(['resource', 'restart', 'g_mysql'], {timeoutMs: 240_000, reject: false});
  expect(restart.exitCode).toBe(0);
  await c().waitFor(running, {what: 'running again after the restart', timeoutMs: 180_000, failIf: failure});
  // db_backup was stopped and started again with the group: another scheduler, armed later.
  const [newPid] = await schedulers();
  expect(await schedulers()).toHaveLength(1);
  expect(newPid).not.toBe(oldPid);
  const rearmed = status();
  expect(rearmed.pid).toBe(newPid);
  expect(Date.parse(rearmed.armedAt)).toBeGreaterThan(Date.parse(before.armedAt));
  // A new differential taken by the new scheduler, and the depth-10 monitor content with it.
  const diffsBefore = sets('diff');
  await waitUntil(async () => sets('diff').some((d) => !diffsBefore.includes(d)), {what: 'a differential after the move', timeoutMs: 90_000, intervalMs: 500});
  await new Promise((r) => setTimeout(r, 16_000));
  const s = await c().status();
  expect([failCount(s, 'db_backup'), failCount(s, 'mysql')]).toEqual([0, 0]);
  expect(status().lastRun?.result).toBe('success');
  // No set is broken, and no temporary directory was left by the stop.
  const list = await c().exec(['hacloud', 'backup', 'list', '--backup-dir', backups]);
  expect(list.stdout).not.toMatch(/broken|damaged/);
});

test('stopping the group disarms the schedule', async () => {
  await c().crm(['resource', 'stop', 'g_mysql'], {timeoutMs: 200_000});
  await c().waitFor((s) => !findResource(s, 'db_backup')?.active && !findResource(s, 'mysql')?.active, {what: 'both stopped', timeoutMs: 180_000});
  expect(await schedulers()).toEqual([]);
  expect(readdirSync(backups).filter((n) => n.startsWith('.partial-') || n.startsWith('.verify-'))).toEqual([]);
  const log = c().node.logTail('pacemaker', 100_000);
  expect(log).toContain('db_backup');
  expect(log).not.toContain(PASSWORD);
});
