import {execa} from 'execa';
import {rmSync} from 'node:fs';
import {AGENT_DIR} from '../helpers/installed-agent';
import {createKeystone, createPlacement, destroyLayout, layoutProcesses, type ServiceLayout} from '../helpers/openstack';

jest.setTimeout(300_000);

// ocf-tester on the installed keystone and placement-api agents, each
// against Debian's real service (uWSGI, SQLite, 127.0.0.1, own port).
describe.each([
  ['keystone', () => createKeystone(25010)],
  ['placement-api', () => createPlacement(28010)],
])('ocf-tester on %s', (agent, create) => {
  const instance = `oct-${agent}`;
  let layout: ServiceLayout;
  beforeAll(async () => {
    layout = await create();
  });
  afterAll(async () => {
    if (layout) {
      await execa(`${AGENT_DIR}/${agent}`, ['stop'], {
        reject: false,
        env: {...Object.fromEntries(Object.entries(layout.params).map(([k, v]) => [`OCF_RESKEY_${k}`, v])), OCF_RESOURCE_INSTANCE: instance},
      });
      for (const pid of layoutProcesses(layout)) process.kill(pid, 'SIGKILL');
    }
    destroyLayout(layout);
    rmSync(`/run/resource-agents/hacloud/${instance}`, {recursive: true, force: true});
  });

  test('zero failures, and nothing left running', async () => {
    const options = Object.entries(layout.params).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
    const result = await execa('ocf-tester', ['-n', instance, ...options, `${AGENT_DIR}/${agent}`], {reject: false, all: true});
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    expect(layoutProcesses(layout)).toEqual([]);
  });
});
