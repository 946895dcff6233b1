// A three-node lab (quorum by majority, no two_node) accepts the same
// MariaDB-on-DRBD configuration, with DRBD kept to the two nodes that have
// disks for it, and survives the loss of any one node: each node in turn is
// powered off, fenced by the others, and the stack runs on (or moves to) a
// surviving DRBD node with every row written before.
import {readFileSync} from 'node:fs';
import {resourcesById, type ClusterStatus} from './crm-mon';
import {requireOcfAgent} from './harness';
import type {Lab} from './lab';
import {appSql, createStackFiles, EXAMPLE, prepareData, type SimNode, STACK, stackFailure, stackNode as stackNodeOf, type StackFiles, startStackLab} from './mysql-stack-setup';
import {waitUntil} from '../helpers/wait';
import {setInBeforeAll} from '../helpers/set-in-before-all';

jest.setTimeout(900_000);

const DRBD_NODES: readonly SimNode[] = ['ctl1', 'ctl2'];
const NODES = [...DRBD_NODES, 'ctl3'];
let lab: Lab | undefined;
let files: StackFiles | undefined;

const l = setInBeforeAll(() => lab, 'lab did not start (see beforeAll)');
const f = setInBeforeAll(() => files, 'stack files were not prepared (see beforeAll)');

const stackNode = (s: ClusterStatus): string | undefined => stackNodeOf(s, STACK, DRBD_NODES);
const sql = (statement: string) => l().client(appSql(f(), statement), {timeoutMs: 15_000});

beforeAll(async () => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql']) requireOcfAgent(`ocf:hacloud:${agent}`);
  files = await createStackFiles();
  await prepareData(files);
  lab = await startStackLab(files, {nodes: NODES});
  // The same example, plus the one line a three-node cluster with disks on two nodes needs.
  await l().configure(`${readFileSync(EXAMPLE, 'utf8')}\nlocation l_drbd_disks ms_drbd_r0 resource-discovery=never -inf: ctl3\n`);
  await l().waitFor((s) => stackNode(s) !== undefined, {what: 'the stack running', timeoutMs: 240_000, failIf: stackFailure});
  await waitUntil(async () => (await sql('SELECT 1')).exitCode === 0, {what: 'MariaDB answering through the VIP', timeoutMs: 30_000});
}, 400_000);

afterAll(async () => {
  try {
    await lab?.stop();
  } finally {
    await files?.cleanup();
  }
}, 240_000);

test('three nodes form one quorate partition without two_node', async () => {
  const s = await l().status();
  expect(s.quorum).toBe(true);
  expect(s.nodes.filter((n) => n.online).map((n) => n.name).sort()).toEqual(NODES);
  const quorum = (await l().exec('ctl3', ['corosync-quorumtool', '-s'])).stdout;
  expect(quorum).toMatch(/Expected votes:\s+3/);
  expect(quorum).not.toMatch(/2Node/);
});

// The quorum node first, then the Promoted node, then the node that took over.
test.each([['the quorum node ctl3'], ['the Promoted node'], ['the new Promoted node']])('losing %s: the stack runs on with every row', async (which) => {
  const before = await l().status();
  const victim = which.includes('ctl3') ? 'ctl3' : stackNode(before) as string;
  const base = (await sql('SELECT COALESCE(MAX(id), 0) FROM acked')).stdout.trim();
  const ids = Array.from({length: 10}, (_, i) => Number(base) + i + 1);
  for (const id of ids) expect((await sql(`INSERT INTO acked (id) VALUES (${id})`)).exitCode).toBe(0);
  const t0 = Date.now();
  await l().powerOff(victim);
  const survivor = NODES.find((n) => n !== victim) as string;
  // The others notice the loss (token timeout) and fence the victim before anything moves.
  await waitUntil(async () => l().fenceRequests().some((r) => r.node === victim && r.at >= t0),
    {what: `${victim} fenced`, timeoutMs: 60_000, intervalMs: 200});
  const s = await l().waitFor((st) => st.quorum && stackNode(st) !== undefined && stackNode(st) !== victim,
    {what: `the stack running without ${victim}`, on: survivor, timeoutMs: 180_000});
  expect(s.quorum).toBe(true);
  await waitUntil(async () => (await sql('SELECT 1')).exitCode === 0, {what: 'MariaDB answering through the VIP', timeoutMs: 60_000});
  const present = (await sql(`SELECT COUNT(*) FROM acked WHERE id IN (${ids.join(',')})`)).stdout.trim();
  expect(present).toBe('10');
  // The fenced node boots again; a DRBD node must be the Unpromoted side before the next loss.
  await l().waitFor((st) => st.nodes.filter((n) => n.online).length === 3
    && (victim === 'ctl3' || resourcesById(st, 'drbd_r0').some((r) => r.role === 'Unpromoted' && r.nodes.includes(victim))),
  {what: `${victim} back`, on: survivor, timeoutMs: 180_000});
});
