// The whole controller of packaging/examples/controller.crm, loaded verbatim
// into the two-node lab with real fencing: DRBD → fs → VIP → MariaDB, the
// backup schedule, RabbitMQ and the OpenStack services from Debian's
// packages, all with MariaDB through the VIP. A client on the lab network
// logs into RabbitMQ, gets keystone tokens and reaches every API through the
// VIP; a kill -9 of each service's main process is recovered in place; a
// power-off of the node running it all moves everything to the peer with
// the rows written before.
import {readFileSync} from 'node:fs';
import {sleep, waitUntil} from '../helpers/wait';
import {amqpLogin, answers, apiStatus, createProject, keystoneToken, projectIds, validateToken} from './controller-client';
import {CONTROLLER, CONTROLLER_STACK, controllerData, controllerExtension, createControllerFiles, type ControllerFiles,
  SERVICES, type Service} from './controller-setup';
import {type ClusterStatus, failCount, findResource, resourcesById} from './crm-mon';
import {requireOcfAgent} from './harness';
import type {Lab} from './lab';
import {appSql, createStackFiles, prepareData, type SimNode, stackFailure, stackNode, type StackFiles, startStackLab} from './mysql-stack-setup';
import {setInBeforeAll} from '../helpers/set-in-before-all';

jest.setTimeout(900_000);

const NODES: readonly SimNode[] = ['ctl1', 'ctl2'];
const APIS = (Object.keys(SERVICES) as Service[]).filter((s): s is Exclude<Service, 'heat-engine'> => s !== 'heat-engine');
const PROJECT = 'hct-before-failover';
let lab: Lab | undefined;
let files: StackFiles | undefined;
let controller: ControllerFiles | undefined;
const timings: string[] = [];
/** A token issued before the failover. */
let earlyToken = '';

const l = setInBeforeAll(() => lab, 'lab did not start (see beforeAll)');
const f = setInBeforeAll(() => files, 'stack files were not prepared (see beforeAll)');
const c = setInBeforeAll(() => controller, 'controller files were not prepared (see beforeAll)');

// The node where DRBD is Promoted and every resource of the controller runs.
const controllerNode = (s: ClusterStatus): string | undefined => stackNode(s, CONTROLLER_STACK);
const controllerFailure = (s: ClusterStatus): string | undefined => stackFailure(s, CONTROLLER_STACK);
const sql = (statement: string) => l().client(appSql(f(), statement), {timeoutMs: 15_000});
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

// The main process of a service on a node: its agent's pidfile (first line).
const mainPid = async (node: string, service: Service): Promise<number> => {
  const r = await l().exec(node, ['cat', `/run/resource-agents/hacloud/${service}/${service}.pid`]);
  return Number(r.stdout.split('\n')[0]);
};
const beamPid = async (node: string): Promise<number | undefined> => {
  const r = await l().exec(node, ['pgrep', '-x', 'beam.smp'], {reject: false});
  const pids = r.stdout.split('\n').filter(Boolean).map(Number);
  return pids.length === 1 ? pids[0] : undefined;
};

beforeAll(async () => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql', 'backup', 'rabbitmq', ...Object.keys(SERVICES)]) requireOcfAgent(`ocf:hacloud:${agent}`);
  files = await createStackFiles();
  controller = createControllerFiles(files);
  const t0 = Date.now();
  await prepareData(files, controllerData(controller));
  timings.push(`data prepared (schemas, keystone bootstrap): ${seconds(Date.now() - t0)}`);
  // A fenced node boots again after a minute, as a real controller takes at
  // least that: with 3 s it rejoined while the peer is
  // still being promoted and, with equal promotion scores Pacemaker may pick
  // the rebooted node again (a failover, but not to the peer).
  lab = await startStackLab(files, {nodes: NODES, extend: controllerExtension(files, controller), rebootDelayMs: 60_000});
}, 900_000);

afterAll(async () => {
  try {
    await lab?.stop();
  } finally {
    await files?.cleanup();
    if (timings.length > 0) process.stderr.write(`lab controller timings:\n  ${timings.join('\n  ')}\n`);
  }
}, 300_000);

test('controller.crm runs every resource on the Promoted node; the client reaches RabbitMQ, keystone and every API through the VIP', async () => {
  const t0 = Date.now();
  await l().configure(readFileSync(CONTROLLER, 'utf8'));
  const verify = await l().exec('ctl1', ['crm_verify', '--live-check'], {reject: false});
  expect(verify.stderr.trim()).toBe('');
  expect(verify.exitCode).toBe(0);
  const s = await l().waitFor((st) => controllerNode(st) !== undefined,
    {what: 'every resource of controller.crm Started on the Promoted node', timeoutMs: 600_000, intervalMs: 2000, failIf: controllerFailure});
  timings.push(`controller.crm loaded → every resource Started: ${seconds(Date.now() - t0)}`);
  const primary = controllerNode(s) as string;
  const secondary = NODES.find((n) => n !== primary) as string;
  expect(resourcesById(s, 'drbd_r0').find((r) => r.nodes.includes(secondary))?.role).toBe('Unpromoted');
  for (const id of CONTROLLER_STACK) expect(findResource(s, id)?.nodes).toEqual([primary]);

  expect(await amqpLogin(l(), c().rabbitPassword)).toBe('ok');
  expect(await amqpLogin(l(), `${c().rabbitPassword}x`)).toMatch(/ACCESS_REFUSED/);
  const issued = await keystoneToken(l(), c());
  expect(issued.status).toBe(201);
  expect(issued.token).toMatch(/^gAAAA/); // a Fernet token
  const wrong = await keystoneToken(l(), {...c(), adminPassword: 'not-the-password'});
  expect(wrong.status).toBe(401);
  for (const api of APIS) {
    const status = await waitUntil(async () => {
      const st = await apiStatus(l(), api);
      return answers(st) ? st : undefined;
    }, {what: `${api} answering through the VIP`, timeoutMs: 30_000});
    timings.push(`${api}: HTTP ${status}`);
  }
  earlyToken = issued.token as string;
  expect(await validateToken(l(), earlyToken, earlyToken)).toBe(200);
  expect(await validateToken(l(), earlyToken, `${earlyToken.slice(0, -4)}AAAA`)).toBe(404);
  // Rows for the failover: a keystone project and acknowledged SQL rows.
  await createProject(l(), earlyToken, PROJECT);
  for (let id = 1; id <= 20; id++) expect((await sql(`INSERT INTO acked (id) VALUES (${id})`)).exitCode).toBe(0);
});

test('kill -9 of RabbitMQ\'s beam.smp: recovered in place, logins work again', async () => {
  const node = controllerNode(await l().status()) as string;
  const before = failCount(await l().status(), 'rabbitmq', node);
  const pid = await beamPid(node);
  expect(pid).toBeGreaterThan(1);
  const t0 = Date.now();
  await l().exec(node, ['kill', '-9', String(pid)]);
  await l().waitFor((st) => failCount(st, 'rabbitmq', node) > before && controllerNode(st) === node,
    {what: `rabbitmq recovered on ${node}`, on: node, timeoutMs: 240_000});
  await waitUntil(async () => (await amqpLogin(l(), c().rabbitPassword)) === 'ok', {what: 'an AMQP login through the VIP', timeoutMs: 60_000});
  timings.push(`rabbitmq: kill -9 of beam.smp → Started again and a login: ${seconds(Date.now() - t0)}`);
  expect(await beamPid(node)).not.toBe(pid);
});

test('kill -9 of keystone\'s uWSGI master: recovered in place, tokens again', async () => {
  const node = controllerNode(await l().status()) as string;
  const before = failCount(await l().status(), 'keystone', node);
  const pid = await mainPid(node, 'keystone');
  const t0 = Date.now();
  await l().exec(node, ['kill', '-9', String(pid)]);
  await l().waitFor((st) => failCount(st, 'keystone', node) > before && controllerNode(st) === node,
    {what: `keystone recovered on ${node}`, on: node, timeoutMs: 240_000});
  await waitUntil(async () => (await keystoneToken(l(), c())).status === 201, {what: 'a token through the VIP', timeoutMs: 60_000});
  timings.push(`keystone: kill -9 of the uWSGI master → Started again and a token: ${seconds(Date.now() - t0)}`);
  expect(await mainPid(node, 'keystone')).not.toBe(pid);
});

test('kill -9 of every other service\'s main process at once: each recovered in place and answering', async () => {
  const node = controllerNode(await l().status()) as string;
  const others = (Object.keys(SERVICES) as Service[]).filter((s) => s !== 'keystone');
  const status = await l().status();
  const before = new Map(others.map((s) => [s, failCount(status, s, node)]));
  const pids = new Map<Service, number>();
  for (const s of others) pids.set(s, await mainPid(node, s));
  const t0 = Date.now();
  for (const s of others) await l().exec(node, ['kill', '-9', String(pids.get(s))]);
  await l().waitFor((st) => others.every((s) => failCount(st, s, node) > (before.get(s) ?? 0)) && controllerNode(st) === node,
    {what: `${others.join(', ')} recovered on ${node}`, on: node, timeoutMs: 300_000, intervalMs: 1000});
  timings.push(`${others.join(', ')}: kill -9 → all Started again: ${seconds(Date.now() - t0)}`);
  for (const s of others) expect(await mainPid(node, s)).not.toBe(pids.get(s));
  for (const api of APIS.filter((a) => a !== 'keystone')) {
    await waitUntil(async () => answers(await apiStatus(l(), api)), {what: `${api} answering after its restart`, timeoutMs: 60_000});
  }
});

test('power-off of the node running the controller: everything moves to the peer, tokens and rows are there', async () => {
  const victim = controllerNode(await l().status()) as string;
  const survivor = NODES.find((n) => n !== victim) as string;
  const t0 = Date.now();
  await l().powerOff(victim);
  // A token through the VIP: keystone, MariaDB, the filesystem and the VIP all moved.
  const fresh = await waitUntil(async () => {
    const t = await keystoneToken(l(), c());
    return t.status === 201 ? t.token : undefined;
  }, {what: 'a keystone token through the VIP after the power-off', timeoutMs: 300_000, intervalMs: 500});
  const tokenMs = Date.now() - t0;
  timings.push(`power-off of ${victim} → a token through the VIP: ${seconds(tokenMs)}`);
  await l().waitFor((st) => controllerNode(st) === survivor,
    {what: `every resource Started on ${survivor}`, on: survivor, timeoutMs: 300_000, intervalMs: 1000, failIf: controllerFailure});
  timings.push(`power-off of ${victim} → every resource Started on ${survivor}: ${seconds(Date.now() - t0)}`);
  expect(l().fenceRequests().some((r) => r.node === victim && r.at >= t0)).toBe(true);
  expect(await projectIds(l(), fresh as string, PROJECT)).toHaveLength(1);
  const rows = await sql('SELECT COUNT(*) FROM acked WHERE id BETWEEN 1 AND 20');
  expect(rows.stdout.trim()).toBe('20');
  expect(await amqpLogin(l(), c().rabbitPassword)).toBe('ok');
  for (const api of APIS) await waitUntil(async () => answers(await apiStatus(l(), api)), {what: `${api} answering on ${survivor}`, timeoutMs: 60_000});
  // A token issued before the failover stays valid: both nodes use the same Fernet keys.
  expect(await validateToken(l(), fresh as string, earlyToken)).toBe(200);
});

test('no password in any node\'s processes, cluster log or CIB', async () => {
  // The fenced node reboots; wait until it is back so its log and processes count too.
  await l().waitFor((st) => NODES.every((n) => st.nodes.some((x) => x.name === n && x.online)), {what: 'both nodes online', timeoutMs: 180_000});
  await sleep(1000);
  const cib = (await l().exec(NODES.find((n) => l().isOn(n)) as string, ['cibadmin', '--query'])).stdout;
  for (const node of NODES) {
    const ps = (await l().exec(node, ['ps', '-eo', 'args'])).stdout;
    const log = readFileSync(`${l().root}/nodes/${node}/var/log/pacemaker/pacemaker.log`, 'utf8');
    for (const secret of [...c().secrets(), f().monitorPassword, f().appPassword, f().backupPassword]) {
      expect(ps).not.toContain(secret);
      expect(log).not.toContain(secret);
      expect(cib).not.toContain(secret);
    }
  }
});
