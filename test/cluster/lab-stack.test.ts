// The database stack of packaging/examples/mysql-on-drbd.crm, loaded verbatim
// into the two-node lab with real fencing: DRBD (the simulator spanning both
// nodes, one image each) → fs → vip → mysql. A client on the lab network
// writes rows through the VIP while the node holding the Promoted DRBD is
// powered off; the survivor fences it, promotes, and serves every row that
// was acknowledged before the failure. The fenced node boots again and
// rejoins as the Unpromoted side.
import {failCount, findResource, resourcesById, type ClusterStatus} from './crm-mon';
import {requireOcfAgent} from './harness';
import type {Lab} from './lab';
import {appSql, createStackFiles, EXAMPLE, prepareData, type SimNode, stackFailure, stackNode as stackNodeOf, type StackFiles, startStackLab} from './mysql-stack-setup';
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {sleep, waitUntil} from '../helpers/wait';
import {setInBeforeAll} from '../helpers/set-in-before-all';

jest.setTimeout(400_000);

const NODES: readonly SimNode[] = ['ctl1', 'ctl2'];
let lab: Lab | undefined;
let files: StackFiles | undefined;

const l = setInBeforeAll(() => lab, 'lab did not start (see beforeAll)');
const f = setInBeforeAll(() => files, 'stack files were not prepared (see beforeAll)');

const stackNode = (s: ClusterStatus): string | undefined => stackNodeOf(s);

// One statement through the VIP from the lab network, as the application user.
const sql = (statement: string) => l().client(appSql(f(), statement), {timeoutMs: 15_000});

// Complete backup sets on the shared backup filesystem: [type, node that took it].
const backupSets = (): {id: string; type: string; node: string}[] => {
  const dir = join(f().srv, 'backup', 'mysql');
  return readdirSync(dir).filter((name) => /-(full|diff)$/.test(name)).map((name) => {
    const manifest = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8')) as {type: string; node: string};
    return {id: name, type: manifest.type, node: manifest.node};
  });
};

const rowIds = async (): Promise<number[]> => {
  const r = await sql('SELECT id FROM acked ORDER BY id');
  if (r.exitCode !== 0) throw new Error(`SELECT through the VIP failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map(Number);
};

beforeAll(async () => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql']) requireOcfAgent(`ocf:hacloud:${agent}`);
  files = await createStackFiles();
  await prepareData(files);
  lab = await startStackLab(files, {nodes: NODES});
}, 300_000);

afterAll(async () => {
  try {
    await lab?.stop();
  } finally {
    await files?.cleanup();
  }
}, 240_000);

test('the example configuration runs the stack on the Promoted node, the peer Unpromoted', async () => {
  await l().configure(readFileSync(EXAMPLE, 'utf8'));
  const verify = await l().exec('ctl1', ['crm_verify', '--live-check'], {reject: false});
  expect(verify.stderr.trim()).toBe('');
  expect(verify.exitCode).toBe(0);
  const s = await l().waitFor((st) => stackNode(st) !== undefined,
    {what: 'drbd Promoted and the group started on one node', timeoutMs: 180_000, failIf: stackFailure});
  const primary = stackNode(s) as string;
  const secondary = NODES.find((n) => n !== primary) as string;
  expect(resourcesById(s, 'drbd_r0').find((r) => r.nodes.includes(secondary))?.role).toBe('Unpromoted');
  await waitUntil(async () => (await sql('SELECT 1')).exitCode === 0, {what: 'MariaDB answering through the VIP', timeoutMs: 30_000});
  // The backup schedule runs with the database and takes its first full set at once.
  await waitUntil(async () => backupSets().some((b) => b.type === 'full' && b.node === primary),
    {what: `a full backup set taken on ${primary}`, timeoutMs: 120_000, intervalMs: 1000});
});

test('power-off of the Promoted node: fenced, the peer promotes, and no acknowledged row is lost', async () => {
  const victim = stackNode(await l().status()) as string;
  const survivor = NODES.find((n) => n !== victim) as string;
  const acked: number[] = [];
  let poweredOffAt = 0;
  let firstWriteAfter = 0;
  // Writes one row after another; an id counts once the server acknowledged it.
  for (let id = 1; ; id++) {
    const r = await sql(`INSERT INTO acked (id) VALUES (${id})`);
    if (r.exitCode === 0) {
      acked.push(id);
      if (poweredOffAt !== 0 && firstWriteAfter === 0) firstWriteAfter = Date.now();
    }
    if (poweredOffAt === 0 && acked.length >= 30) {
      poweredOffAt = Date.now();
      await l().powerOff(victim);
    }
    if (firstWriteAfter !== 0 && acked.length >= 40) break;
    if (poweredOffAt !== 0 && Date.now() - poweredOffAt > 180_000) {
      throw new Error(`no write through the VIP 180 s after the power-off: ${await l().diagnostics()}`);
    }
    if (poweredOffAt !== 0 && firstWriteAfter === 0) await sleep(100);
  }
  console.log(`lab: first write through the VIP ${firstWriteAfter - poweredOffAt} ms after ${victim} was powered off`);
  // The rest of the stack (the backup schedule, started after mysql) follows.
  await l().waitFor((st) => stackNode(st) === survivor, {what: `the whole stack on ${survivor}`, on: survivor, timeoutMs: 60_000});
  expect(l().fenceRequests().some((r) => r.node === victim && r.at >= poweredOffAt)).toBe(true);
  const present = new Set(await rowIds());
  expect(acked.filter((id) => !present.has(id))).toEqual([]);
  expect(acked.length).toBeGreaterThanOrEqual(40);
  // Fenced with `reboot`: the victim boots again, rejoins, and DRBD there becomes the Unpromoted side.
  await l().waitFor((st) => resourcesById(st, 'drbd_r0').some((r) => r.role === 'Unpromoted' && r.nodes.includes(victim)),
    {what: `${victim} back with DRBD Unpromoted`, on: survivor, timeoutMs: 180_000});
  const after = await l().status(survivor);
  expect(stackNode(after)).toBe(survivor); // stickiness: the recovered node does not pull the database back
  expect(failCount(after, 'mysql')).toBe(0);
  expect(findResource(after, 'fs_mysql')?.nodes).toEqual([survivor]);
});

test('the backup schedule followed the database: the survivor takes the next differential, one scheduler only', async () => {
  const s = await l().status();
  const node = stackNode(s) as string;
  expect(findResource(s, 'db_backup')?.nodes).toEqual([node]);
  const before = backupSets().map((b) => b.id);
  // An hour is the example's interval; the lab shortens it (a parameter change restarts the schedule).
  await l().crm(node, ['resource', 'param', 'db_backup', 'set', 'differential_interval', '20s']);
  const set = await waitUntil(async () => backupSets().find((b) => !before.includes(b.id) && b.type === 'differential'),
    {what: `a differential taken after the failover`, timeoutMs: 180_000, intervalMs: 2000});
  expect(set.node).toBe(node);
  for (const other of NODES.filter((n) => n !== node)) {
    expect((await l().exec(other, ['pgrep', '-f', '[h]acloud backup daemon'] /* the bracket keeps the pattern from matching this command */, {reject: false})).exitCode).toBe(1);
  }
});

test('kill -9 of mariadbd, then of the backup scheduler: Pacemaker recovers each in place', async () => {
  const node = stackNode(await l().status()) as string;
  // The bracket keeps the scheduler's pattern from matching the pkill command line itself.
  for (const [id, match] of [['mysql', ['-x', 'mariadbd']], ['db_backup', ['-f', '[h]acloud backup daemon']]] as const) {
    const before = failCount(await l().status(), id, node);
    expect((await l().exec(node, ['pkill', '-KILL', ...match])).exitCode).toBe(0);
    await l().waitFor((st) => failCount(st, id, node) > before && stackNode(st) === node,
      {what: `${id} recovered on ${node}`, on: node, timeoutMs: 180_000});
  }
  await waitUntil(async () => (await sql('SELECT 1')).exitCode === 0, {what: 'MariaDB answering through the VIP', timeoutMs: 60_000});
  expect((await rowIds()).length).toBeGreaterThanOrEqual(40);
});

test('no password in any node\'s processes or cluster log', async () => {
  for (const node of NODES) {
    const ps = (await l().exec(node, ['ps', '-eo', 'args'])).stdout;
    const log = readFileSync(`${l().root}/nodes/${node}/var/log/pacemaker/pacemaker.log`, 'utf8');
    expect(log).toContain('drbd_r0');
    for (const secret of [f().monitorPassword, f().appPassword, f().backupPassword]) {
      expect(ps).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
  }
});
