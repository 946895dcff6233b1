import {readFileSync, rmSync} from 'node:fs';
import {descendants} from '../../lib/sys/process-tree';
import {connectionsTo, readTcpSockets, socketInodes} from '../../lib/sys/tcp-connections';
import type {AgentRun} from '../helpers/installed-agent';
import {
  createHeatEngine,
  destroyLayout,
  layoutProcesses,
  serviceAgent,
  startBroker,
  stopBroker,
  type BrokerLayout,
  type ServiceLayout,
} from '../helpers/openstack';

jest.setTimeout(240_000);

// The installed heat-engine agent (an RPC-only daemon) against Debian's real
// heat-engine and a real RabbitMQ broker on 127.0.0.1:24882: the monitor
// looks for the ESTABLISHED AMQP connection in /proc, from any process of
// the tree (with 2 workers, the children hold it).
const BROKER_PORT = 24882;
const instance = `it-heat-engine-${process.pid}`;
let broker: BrokerLayout | undefined;
let layout: ServiceLayout;
const agent = serviceAgent(() => layout, instance);
const expectOk = (result: AgentRun) => expect([result.code, result.reason]).toEqual([0, undefined]);
const mainPid = (): number => Number(readFileSync(`/run/resource-agents/hacloud/${instance}/heat-engine.pid`, 'utf8').split('\n')[0]);

beforeAll(async () => {
  broker = await startBroker(BROKER_PORT);
  layout = await createHeatEngine(BROKER_PORT);
});

afterAll(async () => {
  if (layout) {
    await agent('stop', {timeoutMs: 30_000}).catch(() => undefined);
    for (const pid of layoutProcesses(layout)) process.kill(pid, 'SIGKILL');
  }
  await stopBroker(broker);
  destroyLayout(layout);
  if (broker) rmSync(broker.root, {recursive: true, force: true});
  rmSync(`/run/resource-agents/hacloud/${instance}`, {recursive: true, force: true});
});

describe('heat-engine', () => {
  test('start returns once the tree is connected to the broker; monitor 0', async () => {
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
    const started = await agent('start', {timeoutMs: 120_000});
    expectOk(started);
    console.log(`heat-engine start took ${Math.round(started.ms)} ms`);
    expectOk(await agent('monitor'));
  });

  test('the broker connection is held by a worker, not by the parent', () => {
    const root = mainPid();
    const sockets = readTcpSockets(root);
    const endpoint = [{address: '127.0.0.1', port: BROKER_PORT}];
    const children = descendants(root).map((p) => p.pid);
    expect(children.length).toBeGreaterThanOrEqual(2);
    expect(connectionsTo(sockets, socketInodes(children), endpoint).length).toBeGreaterThan(0);
  });

  test('another broker port (exact match) fails the monitor', async () => {
    const result = await agent('monitor', {params: {amqp_port: String(BROKER_PORT + 1)}});
    expect(result.code).toBe(1);
    expect(result.reason).toContain(`no ESTABLISHED connection to the AMQP broker 127.0.0.1:${BROKER_PORT + 1}`);
  });

  test('when the broker goes away the monitor fails (1) with the reason', async () => {
    await stopBroker(broker);
    const result = await agent('monitor');
    expect(result.code).toBe(1);
    expect(result.reason).toContain(`no ESTABLISHED connection to the AMQP broker 127.0.0.1:${BROKER_PORT}`);
  });

  test('stop ends the whole tree', async () => {
    expectOk(await agent('stop'));
    expect(layoutProcesses(layout)).toEqual([]);
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
  });
});
