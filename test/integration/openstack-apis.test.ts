import {rmSync, writeFileSync} from 'node:fs';
import {readProcStat} from '../../lib/sys/proc';
import {Deadline} from '../../lib/ocf/deadline';
import type {AgentRun} from '../helpers/installed-agent';
import {createCinderApi, createGlance, createHeatApi, createNovaApi, createPlacement, destroyLayout, layoutProcesses, serviceAgent, type GlanceLayout, type ServiceLayout} from '../helpers/openstack';

jest.setTimeout(240_000);

// The installed glance-api (plain eventlet daemon), placement-api, heat-api,
// cinder-api and nova-api (uWSGI; heat and cinder get their config through
// --pyargv, nova and placement through the environment) agents against
// Debian's real services on SQLite, 127.0.0.1 only.
const expectOk = (result: AgentRun) => expect([result.code, result.reason]).toEqual([0, undefined]);

describe.each([
  ['glance-api', () => createGlance(29292)],
  ['placement-api', () => createPlacement(28778)],
  ['heat-api', () => createHeatApi(28004)],
  ['cinder-api', () => createCinderApi(28776)],
  ['nova-api', () => createNovaApi(28774)],
] as const)('%s', (service, create) => {
  const instance = `it-${service}-${process.pid}`;
  let layout: ServiceLayout;
  const agent = serviceAgent(() => layout, instance);
  const treePids = () => layoutProcesses(layout);

  beforeAll(async () => {
    layout = await create();
  });
  afterAll(async () => {
    if (layout) {
      await agent('stop', {timeoutMs: 30_000}).catch(() => undefined);
      for (const pid of treePids()) process.kill(pid, 'SIGKILL');
    }
    destroyLayout(layout);
    rmSync(`/run/resource-agents/hacloud/${instance}`, {recursive: true, force: true});
  });

  test('probe 7, start 0, monitor 0 at depths 0 and 10', async () => {
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
    const started = await agent('start', {timeoutMs: 120_000});
    expectOk(started);
    console.log(`${service} start took ${Math.round(started.ms)} ms`);
    expectOk(await agent('monitor', {depth: 0}));
    expectOk(await agent('monitor', {depth: 10}));
  });

  test('a second agent start is 0; a foreign listener on the port is refused', async () => {
    expectOk(await agent('start'));
    const other = await agent('start', {params: {}, env: {OCF_RESOURCE_INSTANCE: `${instance}-other`}});
    expect(other.code).toBe(1);
    expect(other.reason).toContain('did not start listens on');
  });

  if (service === 'glance-api') {
    test('a /healthcheck disabled by file is draining: monitor 0, logged', async () => {
      const drainFile = (layout as GlanceLayout).drainFile;
      writeFileSync(drainFile, '');
      try {
        const result = await agent('monitor', {depth: 10});
        expectOk(result);
        expect(result.stderr).toContain('draining');
      } finally {
        rmSync(drainFile, {force: true});
      }
    });
  }

  test('kill -9 of the main process: monitor 7; stop leaves no process', async () => {
    const {readFileSync} = require('node:fs') as typeof import('node:fs');
    const pid = Number(readFileSync(`/run/resource-agents/hacloud/${instance}/${service}.pid`, 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await Deadline.after(5000).poll(() => readProcStat(pid) === undefined, 50);
    expect((await agent('monitor')).code).toBe(7);
    expectOk(await agent('stop'));
    expect(treePids()).toEqual([]);
  });

  test('start, then stop ends the whole tree; stop again 0', async () => {
    expectOk(await agent('start', {timeoutMs: 120_000}));
    const stopped = await agent('stop');
    expectOk(stopped);
    console.log(`${service} stop took ${Math.round(stopped.ms)} ms`);
    expect(treePids()).toEqual([]);
    expectOk(await agent('stop'));
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
  });
});
