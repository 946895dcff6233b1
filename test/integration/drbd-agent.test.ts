import {closeSync, openSync} from 'node:fs';
import {join} from 'node:path';
import {runInstalledAgent} from '../helpers/installed-agent';
import {prepareSimulatedNode, type SimulatedNode} from '../helpers/simulated-node';

jest.setTimeout(120_000);


// The installed drbd agent on one node of a simulated pair whose peer is
// down (no cluster: score updates fail and are only logged).
describe('drbd agent on one node', () => {
  let node: SimulatedNode | undefined;
  let dir = '';
  let env: Record<string, string> = {};
  const sim = (argv: string[]) => (node as SimulatedNode).sim(argv);
  const agent = (action: string, extra: Record<string, string> = {}) =>
    runInstalledAgent('drbd', action, {
      instance: 'drbd_it',
      params: {drbd_resource: 'r0', drbdconf: join(dir, 'drbd.conf'), state_dir: join(dir, 'agent'), wfc_timeout: 0},
      env: {...env, OCF_RESKEY_CRM_meta_on_node: 'ctl1', ...extra},
    });

  beforeAll(async () => {
    node = await prepareSimulatedNode('hct-drbd-it');
    ({dir, env} = node);
  });

  afterAll(async () => node?.cleanup());

  test('monitor codes follow the role: 7 down, 0 Secondary, 8 Primary', async () => {
    expect((await agent('monitor')).code).toBe(7);
    expect((await agent('start')).code).toBe(0);
    expect((await agent('monitor')).code).toBe(0);
    expect((await agent('promote')).code).toBe(0);
    expect((await agent('monitor')).code).toBe(8);
    expect((await agent('promote')).code).toBe(0);
  });

  test('demote of a device held open fails and names who holds it', async () => {
    const device = (await sim(['drbdadm', 'sh-dev', 'r0'])).stdout.trim();
    const fd = openSync(device, 'r');
    try {
      expect((await sim(['fake-drbd', 'hold-open', 'r0', 'on'])).exitCode).toBe(0);
      const started = Date.now();
      const demote = await agent('demote', {OCF_RESKEY_CRM_meta_timeout: '5000'});
      expect(demote.code).toBe(1);
      expect(demote.reason).toMatch(new RegExp(`cannot demote r0: its device is held open by [^\\[]+\\[${process.pid}\\]`));
      // Refusals are retried until the deadline, not forever.
      expect(Date.now() - started).toBeLessThan(8000);
      expect((await agent('monitor')).code).toBe(8);
    } finally {
      closeSync(fd);
      await sim(['fake-drbd', 'hold-open', 'r0', 'off']);
    }
    expect((await agent('demote')).code).toBe(0);
    expect((await agent('monitor')).code).toBe(0);
  });

  test('promote without UpToDate data gives up at once with exit code 17 as the reason', async () => {
    expect((await sim(['drbdadm', 'outdate', 'r0'])).exitCode).toBe(0);
    const promote = await agent('promote', {OCF_RESKEY_CRM_meta_timeout: '30000'});
    expect(promote.code).toBe(1);
    expect(promote.reason).toContain('refusing to promote r0 without access to UpToDate data');
    // Held at least 15 s against a tight recovery loop, but not to the 27 s deadline.
    expect(promote.ms).toBeGreaterThanOrEqual(14_000);
    expect(promote.ms).toBeLessThan(25_000);
  });

  test('stop brings the resource down; stop again is 0', async () => {
    expect((await agent('stop')).code).toBe(0);
    expect((await agent('monitor')).code).toBe(7);
    expect((await agent('stop')).code).toBe(0);
  });
});
