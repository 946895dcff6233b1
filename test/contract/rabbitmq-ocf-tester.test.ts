import {execa} from 'execa';
import {AGENT_DIR} from '../helpers/installed-agent';
import {createRabbitLayout, destroyRabbitLayout, nodeProcesses, type RabbitLayout} from '../helpers/rabbitmq';

jest.setTimeout(300_000);

// ocf-tester on the installed rabbitmq agent, single mode, with a node of
// its own (hctoct@localhost, 127.0.0.1:25682, data under /var/tmp/hct-rmq-oct-*).
describe('ocf-tester on rabbitmq', () => {
  let layout: RabbitLayout;
  const instance = 'oct-rabbitmq';
  beforeAll(() => {
    layout = createRabbitLayout('oct', 'hctoct@localhost', 25682);
  });
  afterAll(async () => {
    if (layout) await destroyRabbitLayout(layout, instance);
  });

  test('zero failures, and the node is stopped afterwards', async () => {
    const options = Object.entries(layout.params).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
    const result = await execa('ocf-tester', ['-n', instance, ...options, `${AGENT_DIR}/rabbitmq`], {reject: false, all: true});
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    expect(nodeProcesses(layout.nodename)).toEqual([]);
  });
});
