import {execa} from 'execa';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {AGENT_DIR} from '../helpers/installed-agent';

jest.setTimeout(180_000);

const SIM_BIN = join(__dirname, '../../dist/drbd-sim/bin');

// ocf-tester on the promotable drbd agent over the drbd-utils simulator
// (no DRBD kernel module here): one node of a two-node resource whose peer
// is down, with UpToDate data from an earlier initial sync.
describe.each(['9', '8.4'])('ocf-tester on drbd (DRBD %s simulator)', (flavor) => {
  let dir = '';
  let env: Record<string, string> = {};
  const sim = (argv: string[]) => execa(join(SIM_BIN, argv[0] as string), argv.slice(1), {env, reject: false});

  beforeAll(async () => {
    if (!existsSync(join(SIM_BIN, 'drbdadm'))) throw new Error('dist/drbd-sim is not built: run node test/drbd-sim/build.mjs');
    dir = mkdtempSync('/var/tmp/hct-drbd-oct-');
    writeFileSync(join(dir, 'drbd.conf'), '# resources are defined by fake-drbd init\n');
    env = {
      PATH: `${SIM_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`,
      FAKE_DRBD_NODE: 'ctl1',
      FAKE_DRBD_STATE: join(dir, 'sim'),
      HA_RSCTMP: join(dir, 'rsctmp'),
    };
    for (const argv of [
      ['fake-drbd', 'init', '--resource', 'r0', '--nodes', 'ctl1,ctl2', '--size-mib', '8', '--flavor', flavor],
      ['drbdadm', 'up', 'r0'],
      ['drbdadm', 'primary', '--force', 'r0'],
      ['drbdadm', 'secondary', 'r0'],
      ['drbdadm', 'down', 'r0'],
    ]) {
      const r = await sim(argv);
      if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
    }
  });

  afterAll(async () => {
    if (!dir) return;
    await sim(['drbdadm', 'down', 'r0']);
    await sim(['fake-drbd', 'teardown']);
    rmSync(dir, {recursive: true, force: true});
  });

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
