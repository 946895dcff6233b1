import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {chmodSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import {join} from 'node:path';
import type {AgentRun} from '../helpers/installed-agent';
import {createCheckUser, createRabbitLayout, destroyRabbitLayout, nodeProcesses, rabbitAgent, rabbitIds, type RabbitLayout} from '../helpers/rabbitmq';

jest.setTimeout(180_000);

// The installed rabbitmq agent (single mode) against a real RabbitMQ node
// of its own: hctit@localhost on 127.0.0.1:25692, data under
// /var/tmp/hct-rmq-it-*. The check user's password exists only in its
// root-only file; it is distinctive, so any leak (ps, the agent's output,
// its log file, the node's logs) is found.
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}-quokka`;
const PORT = 25692;
const instance = `it-rabbitmq-${process.pid}`;

let layout: RabbitLayout;
let passwordFile = '';
const haLog = () => join(layout.root, 'ha.log');

const agent = (action: string, {params = {}, interval = 10_000, depth}: {params?: Record<string, string>; interval?: number; depth?: number} = {}): Promise<AgentRun> =>
  rabbitAgent(layout, instance, action, {
    params: {check_user: 'hcmon', check_password_file: passwordFile, ...params},
    env: {OCF_RESKEY_CRM_meta_interval: String(interval), HA_LOGFILE: haLog(), HA_debug: '1', ...(depth === undefined ? {} : {OCF_CHECK_LEVEL: String(depth)})},
  });
const expectOk = (run: AgentRun) => expect([run.code, run.reason]).toEqual([0, undefined]);
const beams = () => nodeProcesses(layout.nodename).filter((p) => p.comm === 'beam.smp');

beforeAll(async () => {
  layout = createRabbitLayout('it', 'hctit@localhost', PORT);
  passwordFile = join(layout.root, 'no-password-yet');
  const started = await agent('start');
  if (started.code !== 0) throw new Error(`initial start failed: ${started.code} ${started.reason}\n${started.stderr}`);
  passwordFile = await createCheckUser(layout, 'hcmon', PASSWORD);
});

afterAll(async () => {
  if (layout) await destroyRabbitLayout(layout, instance);
});

describe('start, monitor, stop', () => {
  test('the node runs as rabbitmq, its VM is the process the agent started, no cookie in any command line', async () => {
    const [beam] = beams();
    expect(beam).toBeDefined();
    const {uid} = rabbitIds();
    expect(readFileSync(`/proc/${beam?.pid}/status`, 'utf8')).toMatch(new RegExp(`\\nUid:\\s+${uid}\\s`));
    const cookie = readFileSync(layout.cookieFile, 'utf8');
    const ps = await execa('ps', ['-eo', 'args', '--no-headers']);
    expect(ps.stdout).not.toContain(cookie);
    expect(readdirSync(join(layout.params.log_dir as string))).toContain('hctit@localhost.log');
  });

  test('monitor depths 0 and 10 succeed; a probe and a double start too', async () => {
    expectOk(await agent('monitor', {depth: 0}));
    expectOk(await agent('monitor', {depth: 10}));
    expectOk(await agent('monitor', {interval: 0}));
    const again = await agent('start');
    expectOk(again);
    expect(again.stderr).toContain('already running');
  });

  test('depth 10 with a wrong password fails (1) without showing the password; without check_user it is 6', async () => {
    const wrong = join(layout.root, 'wrong-password');
    writeFileSync(wrong, 'not-the-password\n', {mode: 0o600});
    const failed = await agent('monitor', {depth: 10, params: {check_password_file: wrong}});
    expect(failed.code).toBe(1);
    expect(failed.reason).toMatch(/log-in as hcmon .*ACCESS_REFUSED/);
    expect(failed.stderr).not.toContain('not-the-password');
    const unset = await agent('monitor', {depth: 10, params: {check_user: ''}});
    expect([unset.code, unset.reason]).toEqual([6, expect.stringContaining('check_user')]);
    chmodSync(wrong, 0o644);
    const open = await agent('monitor', {depth: 10, params: {check_password_file: wrong}});
    expect([open.code, open.reason]).toEqual([4, expect.stringContaining('group and others must have no access')]);
  });

  test('the password is in no command line, agent output or log', async () => {
    const ps = await execa('ps', ['-eo', 'args', '--no-headers']);
    expect(ps.stdout).not.toContain(PASSWORD);
    const run = await agent('monitor', {depth: 10});
    expectOk(run);
    expect(run.stderr).not.toContain(PASSWORD);
    expect(readFileSync(haLog(), 'utf8')).not.toContain(PASSWORD);
    for (const file of readdirSync(layout.params.log_dir as string)) {
      expect(readFileSync(join(layout.params.log_dir as string, file), 'utf8')).not.toContain(PASSWORD);
    }
  });

  test('a durable queue with persistent messages survives stop and start', async () => {
    const amqplib = await import('amqplib');
    const url = {protocol: 'amqp', hostname: '127.0.0.1', port: PORT, username: 'hcmon', password: PASSWORD};
    const connection = await amqplib.connect(url);
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue('hct-durable', {durable: true});
    for (let i = 0; i < 5; i++) channel.sendToQueue('hct-durable', Buffer.from(`m${i}`), {persistent: true});
    await channel.waitForConfirms();
    await connection.close();

    const stopped = await agent('stop');
    expectOk(stopped);
    expect(nodeProcesses(layout.nodename)).toEqual([]);
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
    expectOk(await agent('start'));

    const again = await amqplib.connect(url);
    const check = await (await again.createChannel()).checkQueue('hct-durable');
    await again.close();
    expect(check.messageCount).toBe(5);
  });

  test('kill -9 of the VM: monitor 7, stop 0 and no process of the node is left', async () => {
    const [beam] = beams();
    process.kill(beam?.pid as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    expect((await agent('monitor')).code).toBe(7);
    expectOk(await agent('stop'));
    expect(nodeProcesses(layout.nodename)).toEqual([]);
    expectOk(await agent('stop'));
  });
});

describe('failures give a clear exit reason and the right code', () => {
  test('missing cookie file: 2; readable by others: 4; empty: 2', async () => {
    const cookie = layout.cookieFile;
    renameSync(cookie, `${cookie}.away`);
    try {
      const missing = await agent('start');
      expect([missing.code, missing.reason]).toEqual([2, expect.stringMatching(/cookie file .* does not exist/)]);
    } finally {
      renameSync(`${cookie}.away`, cookie);
    }
    chmodSync(cookie, 0o644);
    try {
      const open = await agent('start');
      expect([open.code, open.reason]).toEqual([4, expect.stringMatching(/cookie file .*group and others must have no access/)]);
    } finally {
      chmodSync(cookie, 0o600);
    }
    const empty = join(layout.root, 'empty-cookie');
    writeFileSync(empty, '', {mode: 0o600});
    const none = await agent('start', {params: {cookie_file: empty}});
    expect([none.code, none.reason]).toEqual([2, expect.stringMatching(/cookie file .* is empty/)]);
    expect(beams()).toEqual([]);
  });

  test('a port out of range is 6; a port another program holds is 1 and says so', async () => {
    const range = await agent('start', {params: {port: '70000'}});
    expect([range.code, range.reason]).toEqual([6, expect.stringContaining('port')]);
    expectOk(await agent('stop'));
    const server: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(PORT, '127.0.0.1', resolve);
    });
    try {
      const busy = await agent('start');
      expect([busy.code, busy.reason]).toEqual([1, `AMQP port ${PORT} is already in use on 127.0.0.1`]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(beams()).toEqual([]);
  });

  test('a missing server binary is 5 on start and validate-all, 7 on a probe', async () => {
    const params = {server: '/nonexistent/rabbitmq-server'};
    const start = await agent('start', {params});
    expect([start.code, start.reason]).toEqual([5, expect.stringContaining('/nonexistent/rabbitmq-server not found')]);
    expect((await agent('validate-all', {params})).code).toBe(5);
    expect((await agent('monitor', {params, interval: 0})).code).toBe(7);
  });

  test('a missing data directory (filesystem not mounted) is 5', async () => {
    const data = layout.params.data_dir as string;
    const run = await agent('start', {params: {data_dir: `${data}-missing`}});
    expect([run.code, run.reason]).toEqual([5, expect.stringMatching(/data_dir .* does not exist/)]);
  });

  test('a node that fails to boot is reported with its log, and nothing is left', async () => {
    const config = layout.params.config_file as string;
    writeFileSync(config, 'this is = not [ a valid rabbitmq.conf\n');
    try {
      const run = await agent('start');
      expect(run.code).toBe(1);
      expect(run.reason).toMatch(/exited during start/);
      expect(nodeProcesses(layout.nodename).filter((p) => p.comm !== 'epmd')).toEqual([]);
    } finally {
      rmSync(config, {force: true});
    }
    expectOk(await agent('stop'));
    expect(existsSync(layout.params.data_dir as string)).toBe(true);
  });
});
