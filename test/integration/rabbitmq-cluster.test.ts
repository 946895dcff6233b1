import {randomBytes} from 'node:crypto';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import type {AgentRun} from '../helpers/installed-agent';
import {createCheckUser, createRabbitLayout, ctl, destroyRabbitLayout, nodeProcesses, rabbitAgent, type RabbitLayout} from '../helpers/rabbitmq';

jest.setTimeout(300_000);

// Cluster mode with two real RabbitMQ nodes on this machine: hct1@localhost
// (127.0.0.1:25722) and hct2@localhost (127.0.0.1:25732), each with its own
// data under /var/tmp/hct-rmq-c1-*/c2-*, one shared cookie. Both brokers run
// on this one host, so they cannot be two nodes of one real Pacemaker
// cluster: the agent runs as Pacemaker would run the clone instance on
// "host1" and "host2" (OCF_RESKEY_CRM_meta_on_node), and a stand-in
// attrd_updater (test/fixtures/rabbitmq/bin) records the node attributes in
// a directory. Everything else — rabbitmqctl, the join, the data — is real.
// The real-Pacemaker test is test/cluster/rabbitmq.test.ts.
const COOKIE = randomBytes(12).toString('hex').toUpperCase();
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}-wombat`;
const FIXTURES = join(__dirname, '../fixtures/rabbitmq/bin');
const POLICY = 'hct-ha ^hct- {"max-length":1000} --apply-to queues';

let attrd = '';
let n1: RabbitLayout;
let n2: RabbitLayout;
let passwordFile = '';
const instance = 'p_rabbitmq';
const host = (layout: RabbitLayout) => (layout === n1 ? 'host1' : 'host2');

const agent = (layout: RabbitLayout, action: string, depth?: number): Promise<AgentRun> =>
  rabbitAgent(layout, `${instance}:${layout === n1 ? 0 : 1}`, action, {
    timeoutMs: 120_000,
    params: {mode: 'cluster', policy: POLICY, cluster_check_interval: '0', ...(passwordFile ? {check_user: 'hcmon', check_password_file: passwordFile} : {})},
    env: {
      HA_debug: '1',
      PATH: `${FIXTURES}:/usr/sbin:/usr/bin:/sbin:/bin`,
      HCT_ATTRD_DIR: attrd,
      OCF_RESKEY_CRM_meta_on_node: host(layout),
      OCF_RESKEY_CRM_meta_interval: action === 'monitor' ? '10000' : '0',
      ...(depth === undefined ? {} : {OCF_CHECK_LEVEL: String(depth)}),
    },
  });
const expectOk = (run: AgentRun) => expect([run.code, run.reason, run.code === 0 ? '' : run.stderr]).toEqual([0, undefined, '']);
const members = () => readdirSync(join(attrd, `rmq-node-${instance}`)).sort();

async function clusterStatus(layout: RabbitLayout): Promise<{running_nodes: string[]; disk_nodes: string[]}> {
  const result = await ctl(layout, ['cluster_status', '--formatter', 'json']);
  return JSON.parse(result.stdout);
}

async function durableState(layout: RabbitLayout) {
  const queues = await ctl(layout, ['list_queues', '-q', '--formatter', 'json', 'name', 'messages', 'durable']);
  const users = await ctl(layout, ['list_users', '-q', '--formatter', 'json']);
  const policies = await ctl(layout, ['list_policies', '-q', '--formatter', 'json']);
  return {
    queues: (JSON.parse(queues.stdout) as {name: string; messages: number; durable: boolean}[]).filter((q) => q.name.startsWith('hct-')),
    users: (JSON.parse(users.stdout) as {user: string}[]).map((u) => u.user).sort(),
    policies: (JSON.parse(policies.stdout) as {name: string}[]).map((p) => p.name),
  };
}

beforeAll(() => {
  attrd = mkdtempSync('/var/tmp/hct-rmq-attrd-');
  n1 = createRabbitLayout('c1', 'hct1@localhost', 25722, COOKIE);
  n2 = createRabbitLayout('c2', 'hct2@localhost', 25732, COOKIE);
});

afterAll(async () => {
  const env = {mode: 'cluster'};
  if (n2) await destroyRabbitLayout(n2, `${instance}:1`, env);
  if (n1) await destroyRabbitLayout(n1, `${instance}:0`, env);
  rmSync(attrd, {recursive: true, force: true});
});

test('the first node bootstraps and sets the policy; the second joins it through the agent', async () => {
  expectOk(await agent(n1, 'start'));
  expect(members()).toEqual(['host1']);
  expectOk(await agent(n2, 'start'));
  expect(members()).toEqual(['host1', 'host2']);
  for (const layout of [n1, n2]) {
    expect((await clusterStatus(layout)).running_nodes.sort()).toEqual(['hct1@localhost', 'hct2@localhost']);
  }
  expect((await durableState(n2)).policies).toEqual(['hct-ha']);
  passwordFile = await createCheckUser(n1, 'hcmon', PASSWORD);
  expectOk(await agent(n1, 'monitor', 10));
  expectOk(await agent(n2, 'monitor', 10));
});

test('a durable queue with messages, a user and the policy survive a restart of each member', async () => {
  const amqplib = await import('amqplib');
  const connection = await amqplib.connect({protocol: 'amqp', hostname: '127.0.0.1', port: 25722, username: 'hcmon', password: PASSWORD});
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue('hct-durable', {durable: true});
  for (let i = 0; i < 7; i++) channel.sendToQueue('hct-durable', Buffer.from(`m${i}`), {persistent: true});
  await channel.waitForConfirms();
  await connection.close();
  const before = await durableState(n1);
  expect(before).toEqual({queues: [{name: 'hct-durable', messages: 7, durable: true}], users: ['guest', 'hcmon'], policies: ['hct-ha']});

  for (const [member, other] of [
    [n2, n1],
    [n1, n2],
  ] as const) {
    expectOk(await agent(member, 'stop'));
    // epmd stays: the other member is registered with it.
    expect(nodeProcesses(member.nodename).filter((p) => p.comm !== 'epmd')).toEqual([]);
    expect(members()).toEqual([host(other)]);
    expect((await agent(member, 'monitor')).code).toBe(7);
    expectOk(await agent(member, 'start'));
    expect(members()).toEqual(['host1', 'host2']);
    expect((await clusterStatus(other)).running_nodes.sort()).toEqual(['hct1@localhost', 'hct2@localhost']);
    expect(await durableState(other)).toEqual(before);
    expect(await durableState(member)).toEqual(before);
  }
  expectOk(await agent(n1, 'monitor', 10));
  expectOk(await agent(n2, 'monitor', 10));
});

test('a member whose data is gone re-joins after the survivor forgets its stale copy', async () => {
  expectOk(await agent(n2, 'stop'));
  const data = n2.params.data_dir as string;
  for (const entry of readdirSync(data)) rmSync(join(data, entry), {recursive: true, force: true});
  const start = await agent(n2, 'start');
  expectOk(start);
  expect(start.stderr).toMatch(/hct1@localhost forgot its stale copy of hct2@localhost/);
  expect((await clusterStatus(n1)).running_nodes.sort()).toEqual(['hct1@localhost', 'hct2@localhost']);
  const state = await durableState(n2);
  expect(state.users).toEqual(['guest', 'hcmon']);
  expect(state.policies).toEqual(['hct-ha']);
  expect(state.queues).toEqual([{name: 'hct-durable', messages: 7, durable: true}]);
});

test('stopping both members leaves no process and no member attribute', async () => {
  expectOk(await agent(n2, 'stop'));
  expectOk(await agent(n1, 'stop'));
  expect(members()).toEqual([]);
  expect([...nodeProcesses(n1.nodename), ...nodeProcesses(n2.nodename)]).toEqual([]);
});
