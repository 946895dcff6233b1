import {chmodSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createSim, events2Object, startHealthy, type Sim} from '../../helpers/drbd-sim';

jest.setTimeout(120_000);

const [A, B] = ['ctl1', 'ctl2'];

// Exact stdout/stderr/exit codes of the refusals agents depend on (§3.8),
// in both vocabularies.
describe.each(['8.4', '9'] as const)('DRBD %s refusals and messages', (flavor) => {
  let sim: Sim;
  const is84 = flavor === '8.4';
  const setup = is84 ? 'drbdsetup-84' : 'drbdsetup';

  beforeAll(async () => {
    sim = await createSim({flavor});
  });
  afterAll(async () => sim?.cleanup());

  test('--version, and no kernel module', async () => {
    const v = await sim.drbdadm(A, '--version');
    expect(v.stdout).toContain(`DRBD_KERNEL_VERSION_CODE=${is84 ? '0x08040b' : '0x09020c'}\n`);
    expect(v.stdout).toContain('DRBDADM_VERSION_CODE=0x091600\n');
    expect(await sim.fake('no-module', 'on')).toMatchObject({code: 0});
    expect((await sim.drbdadm(A, '--version')).stdout).toContain('DRBD_KERNEL_VERSION_CODE=0x000000\nDRBD_KERNEL_VERSION=\n');
    expect(await sim.drbdsetup(A, 'events2', '--now', 'r0')).toEqual({code: 20, stdout: '', stderr: "Could not connect to 'drbd' generic netlink family\n"});
    const up = await sim.drbdadm(A, 'up', 'r0');
    expect(up.code).toBe(20);
    expect(await sim.drbdadm(A, 'sh-dev', 'r0')).toMatchObject({code: 0});
    expect(await sim.fake('no-module', 'off')).toMatchObject({code: 0});
  });

  test('unknown resources and config files', async () => {
    expect(await sim.drbdadm(A, 'sh-dev', 'nosuch')).toEqual({code: 1, stdout: '', stderr: "'nosuch' not defined in your config (for this host).\n"});
    expect(await sim.drbdsetup(A, 'status', 'nosuch')).toEqual({code: 10, stdout: '', stderr: 'nosuch: No such resource\n'});
    expect(await sim.drbdsetup(A, 'events2', '--now', 'nosuch')).toEqual({code: 0, stdout: 'exists -\n', stderr: ''});
    expect(await sim.drbdadm(A, '-c', '/nonexistent/drbd.conf', 'sh-dev', 'r0')).toEqual({code: 20, stdout: '', stderr: "Can not open '/nonexistent/drbd.conf'.\n."});
    expect(await sim.drbdadm(A, '-c', join(sim.stateDir, 'drbd.conf'), 'sh-dev', 'r0')).toEqual({code: 0, stdout: `${sim.device(A)}\n`, stderr: ''});
    expect((await sim.drbdadm(A, 'sh-ll-dev', 'r0')).stdout).toBe(`${sim.image(A)}\n`);
    expect(await sim.drbdadm('ctl9', 'sh-dev', 'r0')).toMatchObject({code: 1, stderr: "'r0' ignored, since this host (ctl9) is not mentioned with an 'on' keyword.\n"});
  });

  test('a resource that is down: role fails, dstate and get-gi read the meta-data, events2 shows nothing', async () => {
    const role = await sim.drbdadm(A, 'role', 'r0');
    expect(role).toEqual(is84
      ? {code: 10, stdout: '', stderr: '0: Failure: (127) Device minor not allocated\nadditional info from kernel:\nunknown minor\nCommand \'drbdsetup-84 role 0\' terminated with exit code 10\n'}
      : {code: 10, stdout: '', stderr: 'r0: Unknown resource\nCommand \'drbdsetup role r0\' terminated with exit code 10\n'});
    expect(await sim.drbdadm(A, 'dstate', 'r0')).toEqual({code: 0, stdout: 'Inconsistent\n', stderr: ''});
    expect((await sim.drbdadm(A, 'get-gi', 'r0')).stdout).toBe(is84
      ? '0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:0:0:0\n'
      : '0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:1:0:0:0:0:0:0:0\n');
    expect(await sim.drbdsetup(A, 'events2', '--now', 'r0')).toEqual({code: 0, stdout: 'exists -\n', stderr: ''});
    expect(await sim.drbdadm(A, 'down', 'r0')).toEqual({code: 0, stdout: '', stderr: ''});
  });

  test('primary while the peer is Primary: (-1), exit 11', async () => {
    await startHealthy(sim);
    expect(await sim.drbdadm(B, 'primary', 'r0')).toEqual({code: 11, stdout: '', stderr:
      `${is84 ? '0' : 'r0'}: State change failed: (-1) Multiple primaries not allowed by config\n`
      + `Command '${setup} primary ${is84 ? '0' : 'r0'}' terminated with exit code 11\n`});
  });

  test('connect when connected and --discard-my-data on a Primary', async () => {
    const again = await sim.drbdadm(A, 'connect', 'r0');
    expect(again.code).toBe(10);
    expect(again.stderr).toBe(is84
      ? 'r0: Failure: (102) Local address(port) already in use.\nCommand \'drbdsetup-84 connect r0 ipv4:198.51.100.201:7789 ipv4:198.51.100.202:7789 --protocol=C --after-sb-0pri=disconnect --after-sb-1pri=disconnect --after-sb-2pri=disconnect\' terminated with exit code 10\n'
      : 'r0: Failure: (125) Device has a net-config (use disconnect first)\nCommand \'drbdsetup connect r0 1\' terminated with exit code 10\n');
    const discard = await sim.drbdadm(A, 'connect', '--discard-my-data', 'r0');
    expect(discard.code).toBe(10);
    expect(discard.stderr.split('\n')[0]).toBe('r0: Failure: (123) --discard-my-data not allowed when primary.');
    // The old syntax is understood too.
    expect((await sim.drbdadm(A, '--', '--discard-my-data', 'connect', 'r0')).stderr).toContain('(123)');
  });

  test('held open: secondary and down refused with (-12), exit 11', async () => {
    expect(await sim.fake('hold-open', 'r0', 'on')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'secondary', 'r0')).toEqual({code: 11, stdout: '', stderr:
      `${is84 ? '0' : 'r0'}: State change failed: (-12) Device is held open by someone\n`
      + `Command '${setup} secondary ${is84 ? '0' : 'r0'}' terminated with exit code 11\n`});
    const downRefused = await sim.drbdadm(A, 'down', 'r0');
    expect(downRefused.code).toBe(11);
    expect(downRefused.stderr).toContain(`Command '${setup} down r0' terminated with exit code 11`);
    expect(await sim.fake('hold-open', 'r0', 'off')).toMatchObject({code: 0});
  });

  test('outdate: no effect while connected, Outdated when disconnected, then primary needs --force', async () => {
    expect(await sim.drbdadm(B, 'outdate', 'r0')).toEqual({code: 0, stdout: '', stderr: ''});
    expect((await sim.drbdadm(B, 'dstate', 'r0')).stdout).toBe('UpToDate/UpToDate\n');
    expect(await sim.fake('link', 'down')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'outdate', 'r0')).toMatchObject({code: 17});
    expect(await sim.drbdadm(B, 'outdate', 'r0')).toEqual({code: 0, stdout: '', stderr: ''});
    expect((await sim.drbdadm(B, 'dstate', 'r0')).stdout).toBe('Outdated/DUnknown\n');
    expect(await sim.drbdadm(B, 'primary', 'r0')).toEqual({code: 17, stdout: '', stderr:
      `${is84 ? '0' : 'r0'}: State change failed: (-2) Need access to UpToDate data\n`
      + `Command '${setup} primary ${is84 ? '0' : 'r0'}' terminated with exit code 17\n`});
    expect(await sim.drbdadm(B, 'primary', '--force', 'r0')).toEqual({code: 0, stdout: '', stderr: ''});
    expect((await sim.drbdadm(B, 'dstate', 'r0')).stdout).toBe('UpToDate/DUnknown\n');
    expect((await sim.run(B, 'fake-drbd', ['dmesg'])).stdout).toContain('Forced to consider local data as UpToDate!');
  });

  test('wait-connect: timeouts and the other version\'s verbs', async () => {
    if (is84) {
      const invalid = await sim.drbdsetup(B, 'wait-connect-resource', 'r0', '--wfc-timeout=1');
      expect(invalid.code).toBe(20);
      expect(invalid.stdout).toMatch(/^\nUSAGE: drbdsetup command device arguments options\n[\s\S]*\n\n\ninvalid command\n$/);
      const wait = await sim.drbdsetup(B, 'wait-connect', sim.device(B), '--wfc-timeout=1');
      expect(wait).toEqual({code: 5, stdout: '', stderr: 'degr-wfc-timeout has to be shorter than wfc-timeout\n'
        + 'degr-wfc-timeout implicitly set to wfc-timeout (1s)\noutdated-wfc-timeout has to be shorter than degr-wfc-timeout\n'
        + 'outdated-wfc-timeout implicitly set to degr-wfc-timeout (1s)\n'});
    } else {
      expect(await sim.drbdsetup(B, 'wait-connect-resource', 'r0', '--wfc-timeout=1')).toMatchObject({code: 5});
      expect((await sim.drbdsetup(B, 'wait-connect', '0')).code).toBe(20);
    }
  });

  test('two Primaries meet: split brain, disconnect on StandAlone', async () => {
    expect(await sim.fake('link', 'up')).toMatchObject({code: 0});
    expect((await sim.drbdadm(A, 'cstate', 'r0')).stdout).toBe('StandAlone\n');
    const disconnect = await sim.drbdadm(A, 'disconnect', 'r0');
    expect(disconnect.code).toBe(is84 ? 10 : 0);
    expect((await sim.run(A, 'fake-drbd', ['dmesg'])).stdout).toContain('Split-Brain detected but unresolved, dropping connection!');
  });
});

// fence-peer: called by a Primary that loses its peer and on promotion
// with the peer unknown; its exit code decides (3/4/5/7 outdate the peer).
describe.each(['8.4', '9'] as const)('DRBD %s fencing', (flavor) => {
  let sim: Sim;
  let rcFile = '';
  const is84 = flavor === '8.4';
  const setup = is84 ? 'drbdsetup-84' : 'drbdsetup';
  const setRc = (rc: number): void => writeFileSync(rcFile, `${rc}\n`);

  beforeAll(async () => {
    sim = await createSim({flavor});
    rcFile = join(sim.dir, 'fence-rc');
    const script = join(sim.dir, 'fence.sh');
    writeFileSync(script, `#!/bin/sh\necho "$FAKE_DRBD_NODE $DRBD_PEER $DRBD_RESOURCE" >> ${join(sim.dir, 'fence.log')}\nexit $(cat ${rcFile})\n`);
    chmodSync(script, 0o755);
    setRc(4);
    expect(await sim.fake('init', '--replace', '--resource', 'r0', '--nodes', `${A},${B}`, '--flavor', flavor,
      '--fencing', 'resource-only', '--handler', `fence-peer=${script}`)).toMatchObject({code: 0});
  });
  afterAll(async () => sim?.cleanup());

  test('a Primary losing its peer fences it (exit 4: peer Outdated)', async () => {
    await startHealthy(sim);
    expect(await sim.fake('link', 'down')).toMatchObject({code: 0});
    expect((await sim.drbdadm(A, 'dstate', 'r0')).stdout).toBe('UpToDate/Outdated\n');
    const state = await sim.state();
    expect(state.handlerCalls.filter((c) => c.handler === 'fence-peer')).toEqual([expect.objectContaining({node: A, exitCode: 4})]);
  });

  test('promotion with the peer unknown: exit 1 refuses with (-7), exit 5 promotes', async () => {
    setRc(1);
    expect(await sim.drbdadm(B, 'primary', 'r0')).toEqual({code: 11, stdout: '', stderr:
      `${is84 ? '0' : 'r0'}: State change failed: (-7) Refusing to be Primary while peer is not outdated\n`
      + `Command '${setup} primary ${is84 ? '0' : 'r0'}' terminated with exit code 11\n`});
    expect((await sim.run(B, 'fake-drbd', ['dmesg'])).stdout).toContain('fence-peer helper broken, returned 1');
    setRc(5);
    expect(await sim.drbdadm(B, 'primary', 'r0')).toEqual({code: 0, stdout: '', stderr: ''});
    expect((await sim.drbdadm(B, 'dstate', 'r0')).stdout).toBe('UpToDate/Outdated\n');
  });

  test('after a re-attach with fencing the disk is Consistent; Consistent + unreachable peer: (-2) exit 17, fenced peer: promoted', async () => {
    for (const [node, args] of [[B, ['secondary', 'r0']], [A, ['down', 'r0']], [B, ['down', 'r0']]] as const) {
      expect(await sim.drbdadm(node, ...args)).toMatchObject({code: 0});
    }
    expect(await sim.fake('link', 'up')).toMatchObject({code: 0});
    expect(await sim.fake('init', '--replace', '--resource', 'r0', '--nodes', `${A},${B}`, '--flavor', flavor, '--fencing', 'resource-only'))
      .toMatchObject({code: 0});
    for (const [node, args] of [[A, ['up', 'r0']], [B, ['up', 'r0']], [A, ['new-current-uuid', '--clear-bitmap', 'r0']],
      [A, ['down', 'r0']], [B, ['down', 'r0']], [A, ['up', 'r0']]] as const) {
      expect(await sim.drbdadm(node, ...args)).toMatchObject({code: 0});
    }
    expect((await sim.drbdadm(A, 'dstate', 'r0')).stdout).toBe('Consistent/DUnknown\n');
    expect(await sim.fake('set-fence-rc', '5')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'primary', 'r0')).toEqual({code: 17, stdout: '', stderr:
      `${is84 ? '0' : 'r0'}: State change failed: (-2) Need access to UpToDate data\n`
      + `Command '${setup} primary ${is84 ? '0' : 'r0'}' terminated with exit code 17\n`});
    expect(await sim.fake('set-fence-rc', '4')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'primary', 'r0')).toEqual({code: 0, stdout: '', stderr: ''});
    expect((await sim.drbdadm(A, 'dstate', 'r0')).stdout).toBe('UpToDate/Outdated\n');
    expect(await sim.fake('set-fence-rc', 'none')).toMatchObject({code: 0});
  });
});

// A crashed Primary keeps its primary flag; back up it is a crashed primary
// and wins the handshake by rule 40; a clean reboot is a graceful disconnect.
describe('crash and reboot', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await createSim({flavor: '8.4'});
  });
  afterAll(async () => sim?.cleanup());

  test('crash of the Primary', async () => {
    await startHealthy(sim);
    expect(await sim.fake('write', 'r0', '64')).toMatchObject({code: 0});
    expect(await sim.fake('crash', A)).toMatchObject({code: 0});
    expect((await sim.drbdadm(B, 'cstate', 'r0')).stdout).toBe('WFConnection\n');
    expect((await sim.drbdsetup(A, 'events2', '--now', 'r0')).stdout).toBe('exists -\n');
    const gi = (await sim.drbdadm(A, 'get-gi', 'r0')).stdout.trim().split(':');
    expect(gi.slice(4)).toEqual(['1', '1', '1', '1', '0', '0', '0']);
    expect(await sim.drbdadm(A, 'up', 'r0')).toMatchObject({code: 0});
    const dmesg = (await sim.run(A, 'fake-drbd', ['dmesg'])).stdout;
    expect(dmesg).toContain('uuid_compare()=1 by rule 40');
    expect((await sim.drbdadm(A, 'cstate', 'r0')).stdout).toBe('Connected\n');
    expect((await sim.drbdadm(A, 'get-gi', 'r0')).stdout.trim().split(':').slice(4)).toEqual(['1', '1', '0', '1', '0', '0', '0']);
  });

  test('clean reboot of the Secondary while the other node is Primary', async () => {
    expect(await sim.drbdadm(A, 'primary', 'r0')).toMatchObject({code: 0});
    expect(await sim.fake('reboot', B)).toMatchObject({code: 0});
    expect((await sim.drbdadm(A, 'cstate', 'r0')).stdout).toBe('WFConnection\n');
    expect(await sim.fake('write', 'r0', '40')).toMatchObject({code: 0});
    expect(await sim.drbdadm(B, 'up', 'r0')).toMatchObject({code: 0});
    const dmesg = (await sim.run(B, 'fake-drbd', ['dmesg'])).stdout;
    expect(dmesg).toContain('uuid_compare()=-1 by rule 50');
    expect(dmesg).toContain('Began resync as SyncTarget (will sync 40 KB [10 bits set]).');
    expect((await sim.drbdadm(B, 'dstate', 'r0')).stdout).toBe('UpToDate/UpToDate\n');
  });
});
