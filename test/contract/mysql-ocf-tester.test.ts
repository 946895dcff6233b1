import {execa} from 'execa';
import {rmSync} from 'node:fs';
import {AGENT_DIR} from '../helpers/installed-agent';
import {createLayout, destroyLayout, initialiseDatadir, serverPids, type MariaDbLayout} from '../helpers/mariadb';

jest.setTimeout(240_000);

// ocf-tester on the installed mysql agent with a real MariaDB datadir of its
// own (socket, pid, log and 127.0.0.1:23307), initialised beforehand.
describe('ocf-tester on mysql', () => {
  let layout: MariaDbLayout;
  beforeAll(async () => {
    layout = createLayout('oct', 23307);
    await initialiseDatadir(layout);
  });
  afterAll(async () => {
    if (!layout) return;
    await execa(`${AGENT_DIR}/mysql`, ['stop'], {
      reject: false,
      env: {...Object.fromEntries(Object.entries(layout.params).map(([k, v]) => [`OCF_RESKEY_${k}`, v])), OCF_RESOURCE_INSTANCE: 'oct-mysql'},
    });
    destroyLayout(layout);
    rmSync('/run/resource-agents/hacloud/oct-mysql', {recursive: true, force: true});
  });

  test('zero failures, and the server is stopped afterwards', async () => {
    const options = Object.entries(layout.params).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
    const result = await execa('ocf-tester', ['-n', 'oct-mysql', ...options, `${AGENT_DIR}/mysql`], {reject: false, all: true});
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    expect(serverPids(layout)).toEqual([]);
  });
});
