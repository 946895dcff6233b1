import {execa} from 'execa';
import {join} from 'node:path';
import {AGENT_DIR} from '../helpers/installed-agent';
import {prepareSimulatedNode, type SimulatedNode} from '../helpers/simulated-node';

jest.setTimeout(180_000);


// ocf-tester on the promotable drbd agent over the drbd-utils simulator
// (no DRBD kernel module here): one node of a two-node resource whose peer
// is down, with UpToDate data from an earlier initial sync.
describe.each(['9', '8.4'] as const)('ocf-tester on drbd (DRBD %s simulator)', (flavor) => {
  let node: SimulatedNode | undefined;
  let dir = '';
  let env: Record<string, string> = {};
  const sim = (argv: string[]) => (node as SimulatedNode).sim(argv);

  beforeAll(async () => {
    node = await prepareSimulatedNode('hct-drbd-oct', flavor);
    ({dir, env} = node);
  });

  afterAll(async () => node?.cleanup());

  test('zero failures, promote and demote included', async () => {
    const options = [
      'drbd_resource=r0',
      `drbdconf=${join(dir, 'drbd.conf')}`,
      `state_dir=${join(dir, 'agent')}`,
      'wfc_timeout=1',
    ].flatMap((o) => ['-o', o]);
    const result = await execa('ocf-tester', ['-n', 'drbd_r0', ...options, `${AGENT_DIR}/drbd`], {env, reject: false, all: true});
    expect(result.all).toContain('passed all tests');
    expect(result.all).not.toContain('does not support the promote action');
    expect(result.all).not.toContain('does not support the demote action');
    expect(result.exitCode).toBe(0);
    // ocf-tester leaves the resource stopped.
    expect((await sim(['drbdsetup', 'events2', '--now', 'r0'])).stdout.trim()).toBe('exists -');
  });
});
