import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {createSim, events2Object, sha256, startHealthy, type Sim} from '../../helpers/drbd-sim';
import {primaryBit, stripPrimary, toBig, fromBig, UUID_NEW_BM_OFFSET} from '../../drbd-sim/gi';

jest.setTimeout(120_000);

// The §3.5 scenario on both vocabularies: healthy Primary with replication,
// link cut, second Primary, writes on both, reconnect into an unresolved
// split brain (handlers on both nodes, both StandAlone), manual recovery
// with --discard-my-data, byte-identical images with the survivor's data.
describe.each(['8.4', '9'] as const)('DRBD %s split brain', (flavor) => {
  let sim: Sim;
  let handlerLog = '';
  const [A, B] = ['ctl1', 'ctl2'];
  const gi: Record<string, string> = {};

  const getGi = async (node: string): Promise<string[]> => (await sim.drbdadm(node, 'get-gi', 'r0')).stdout.trim().split(':');
  const cstate = async (node: string): Promise<string> => (await sim.drbdadm(node, 'cstate', 'r0')).stdout.trim();

  beforeAll(async () => {
    sim = await createSim({flavor});
    handlerLog = join(sim.dir, 'handlers.log');
    const script = join(sim.dir, 'handler.sh');
    writeFileSync(script, `#!/bin/sh\necho "$1 $FAKE_DRBD_NODE $DRBD_RESOURCE $DRBD_PEER $DRBD_MINOR" >> ${handlerLog}\n`);
    chmodSync(script, 0o755);
    const init = await sim.fake('init', '--replace', '--resource', 'r0', '--nodes', `${A},${B}`, '--flavor', flavor,
      '--handler', `split-brain=${script} split-brain`, '--handler', `initial-split-brain=${script} initial-split-brain`);
    expect(init).toMatchObject({code: 0});
  });

  afterAll(async () => sim?.cleanup());

  test('healthy start, promote, write: the data is on both nodes', async () => {
    await startHealthy(sim);
    expect(await sim.fake('write', 'r0', '256')).toMatchObject({code: 0});
    const events = (await sim.drbdsetup(A, 'events2', '--now', '--statistics', 'r0')).stdout;
    expect(events2Object(events, 'resource')).toMatchObject({role: 'Primary'});
    expect(events2Object(events, 'connection')).toMatchObject({connection: 'Connected', role: 'Secondary'});
    expect(events2Object(events, 'peer-device')).toMatchObject({replication: 'Established', 'peer-disk': 'UpToDate', sent: '256', 'out-of-sync': '0'});
    expect(sha256(sim.image(A))).toBe(sha256(sim.image(B)));
    const written = readFileSync(sim.device(A)).subarray(0, 256 * 1024);
    expect(readFileSync(sim.image(B)).subarray(0, 256 * 1024).equals(written)).toBe(true);
    const [a, b] = [await getGi(A), await getGi(B)];
    // consistent, was up to date, primary, connected (v08 position 4; v09 peer flags start at 11).
    if (flavor === '8.4') expect(a.slice(4)).toEqual(['1', '1', '1', '1', '0', '0', '0']);
    else expect([...a.slice(4, 7), a[11]]).toEqual(['1', '1', '1', '1']);
    expect(stripPrimary(a[0] ?? '')).toBe(stripPrimary(b[0] ?? ''));
    expect([primaryBit(a[0] ?? ''), primaryBit(b[0] ?? '')]).toEqual([1, 0]);
    gi.healthy = a[0] ?? '';
  });

  test('link cut, the other node promoted, writes on both: changed blocks counted on each side', async () => {
    expect(await sim.fake('link', 'down')).toMatchObject({code: 0});
    expect(await cstate(B)).toBe(flavor === '8.4' ? 'WFConnection' : 'Connecting');
    expect(await sim.drbdadm(B, 'primary', 'r0')).toMatchObject({code: 0, stderr: ''});
    expect(await sim.fake('write', 'r0', '1200', '--offset', '4000')).toMatchObject({code: 0});
    expect(await sim.fake('write', 'r0', '160', '--node', B, '--offset', '20000')).toMatchObject({code: 0});
    expect(await sim.drbdadm(B, 'secondary', 'r0')).toMatchObject({code: 0});
    const oosA = events2Object((await sim.drbdsetup(A, 'events2', '--now', '--statistics', 'r0')).stdout, 'peer-device');
    const oosB = events2Object((await sim.drbdsetup(B, 'events2', '--now', '--statistics', 'r0')).stdout, 'peer-device');
    expect([oosA['out-of-sync'], oosB['out-of-sync']]).toEqual(['1200', '160']);
    // The old Primary's bitmap UUID keeps bit 0 (older primary), the new one's does not.
    const [a, b] = [await getGi(A), await getGi(B)];
    expect(a[1]).toBe(gi.healthy);
    expect(b[1]).toBe(stripPrimary(gi.healthy ?? ''));
    expect(a[0]).not.toBe(b[0]);
  });

  test('link restored: split brain detected, both handlers ran on both nodes, both StandAlone', async () => {
    expect(await sim.fake('link', 'up')).toMatchObject({code: 0});
    expect([await cstate(A), await cstate(B)]).toEqual(['StandAlone', 'StandAlone']);
    const calls = readFileSync(handlerLog, 'utf8').trim().split('\n').sort();
    expect(calls).toEqual([
      `initial-split-brain ${A} r0 ${B} 0`, `initial-split-brain ${B} r0 ${A} 0`,
      `split-brain ${A} r0 ${B} 0`, `split-brain ${B} r0 ${A} 0`,
    ]);
    const dmesg = (await sim.run(A, 'fake-drbd', ['dmesg'])).stdout;
    expect(dmesg).toContain(flavor === '8.4' ? 'uuid_compare()=100 by rule 90' : 'uuid_compare()=split-brain-auto-recover by rule=bitmap-both');
    expect(dmesg).toContain('self ');
    expect(dmesg).toMatch(/bits:300 flags:0\n.*peer [0-9A-F:]+ bits:40 flags:0/);
    expect(dmesg).toContain('Split-Brain detected but unresolved, dropping connection!');
    const oos = events2Object((await sim.drbdsetup(A, 'events2', '--now', '--statistics', 'r0')).stdout, 'peer-device');
    expect(oos['out-of-sync']).toBe('1200');
    const status = await sim.drbdsetup(A, 'status', 'r0');
    expect(status.stdout).toBe(flavor === '8.4' ? 'r0 role:Primary\n  disk:UpToDate\n\n'
      : `r0 role:Primary\n  disk:UpToDate\n  ${B} connection:StandAlone\n\n`);
  });

  test('manual recovery with --discard-my-data on the victim: byte-identical images with the survivor\'s data', async () => {
    const survivor = sha256(sim.image(A));
    const before = {a: await getGi(A), b: await getGi(B)};
    const disconnect = await sim.drbdadm(B, 'disconnect', 'r0');
    if (flavor === '8.4') {
      expect(disconnect).toEqual({code: 10, stdout: '', stderr: '??: Failure: (162) Invalid configuration request\n'
        + 'additional info from kernel:\nunknown connection\n'
        + 'Command \'drbdsetup-84 disconnect ipv4:198.51.100.202:7789 ipv4:198.51.100.201:7789\' terminated with exit code 10\n'});
    } else {
      expect(disconnect).toEqual({code: 0, stdout: '', stderr: ''});
    }
    expect(await sim.drbdadm(B, 'secondary', 'r0')).toMatchObject({code: 0});
    expect(await sim.drbdadm(B, 'connect', '--discard-my-data', 'r0')).toMatchObject({code: 0, stderr: ''});
    if (flavor === '9') expect(await sim.drbdadm(A, 'disconnect', 'r0')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'connect', 'r0')).toMatchObject({code: 0, stderr: ''});
    expect([await cstate(A), await cstate(B)]).toEqual(['Connected', 'Connected']);
    expect(sha256(sim.image(B))).toBe(survivor);
    expect(sha256(sim.image(A))).toBe(survivor);
    const dmesgA = (await sim.run(A, 'fake-drbd', ['dmesg'])).stdout;
    expect(dmesgA).toContain('Split-Brain detected, manually solved. Sync from this node');
    expect(dmesgA).toContain('Began resync as SyncSource (will sync 1360 KB [340 bits set]).');
    expect((await sim.run(B, 'fake-drbd', ['dmesg'])).stdout).toContain('Split-Brain detected, manually solved. Sync from peer node');
    // §3.5 "after recovery": the survivor's current on both (bit 0 by role), no bitmap UUID,
    // history = [old bitmap + UUID_NEW_BM_OFFSET, old bitmap].
    const [a, b] = [await getGi(A), await getGi(B)];
    const oldBm = before.a[1] ?? '';
    const synced = fromBig(toBig(oldBm) + UUID_NEW_BM_OFFSET);
    expect(a.slice(0, 4)).toEqual([before.a[0], '0000000000000000', synced, oldBm]);
    expect(b.slice(0, 4)).toEqual([stripPrimary(before.a[0] ?? ''), '0000000000000000', stripPrimary(synced), oldBm]);
    if (flavor === '8.4') {
      expect(a.slice(4)).toEqual(['1', '1', '1', '1', '0', '0', '0']);
      expect(b.slice(4)).toEqual(['1', '1', '0', '1', '0', '0', '0']);
    }
    const state = await sim.state();
    expect(state.summary.r0?.[B]).toMatchObject({disk: 'UpToDate', peerDisk: 'UpToDate', oosKiB: 0});
    expect(state.handlerCalls.filter((c) => c.handler === 'after-resync-target').map((c) => c.node)).toEqual([B]);
  });

  test('the victim\'s event stream shows the observed split-brain sequence', async () => {
    const observed = readFileSync(join(__dirname, '../../fixtures/drbd-sim/observed-84-splitbrain-ctl2-events2-stream.txt'), 'utf8')
      .split('\n').map((l) => l.replace(/^\S+ /, '')).filter((l) => l.startsWith('change') || l.startsWith('call') || l.startsWith('response') || l.startsWith('destroy'))
      // drbdsetup-84 prints two empty "change" lines after a network failure; the simulator does not.
      .filter((l) => !/^change (connection|peer-device) \S+ \S+ \S+( volume:0)?$/.test(l));
    const ours = (await sim.run(B, 'fake-drbd', ['events-log'])).stdout.split('\n').map((l) => l.replace(/^\S+ /, ''));
    const from = ours.findIndex((l) => l.includes('connection:NetworkFailure'));
    const to = flavor === '8.4' ? ours.findIndex((l) => l.startsWith('destroy connection'))
      : ours.findIndex((l, i) => i > from && l.includes('connection:StandAlone'));
    const slice = ours.slice(from, to + 1);
    if (flavor === '8.4') expect(slice).toEqual(observed);
    else expect(slice.map((l) => l.replace(/ conn-name:\S+/, '').replace(/ peer-node-id:\d/, '').replace(/ minor:0/, '')))
      .toEqual(expect.arrayContaining(['change connection name:r0 connection:NetworkFailure role:Unknown',
        'call helper name:r0 volume:0 helper:split-brain', 'response helper name:r0 volume:0 helper:split-brain status:0']));
  });
});

// s2_clean.txt: after-sb-0pri discard-least-changes resolves a split brain
// with no Primary by itself: the side with more changes wins, only the
// union of both bitmaps is resynced, initial-split-brain runs, split-brain does not.
describe.each(['8.4', '9'] as const)('DRBD %s automatic split-brain recovery', (flavor) => {
  let sim: Sim;
  const [A, B] = ['ctl1', 'ctl2'];

  beforeAll(async () => {
    sim = await createSim({flavor, init: ['--after-sb-0pri', 'discard-least-changes', '--after-sb-1pri', 'discard-secondary']});
  });
  afterAll(async () => sim?.cleanup());

  test('discard-least-changes: the node with more changes becomes sync source', async () => {
    await startHealthy(sim);
    expect(await sim.fake('write', 'r0', '256')).toMatchObject({code: 0});
    expect(await sim.fake('link', 'down')).toMatchObject({code: 0});
    expect(await sim.fake('write', 'r0', '1200', '--offset', '4000')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'secondary', 'r0')).toMatchObject({code: 0});
    expect(await sim.drbdadm(B, 'primary', 'r0')).toMatchObject({code: 0});
    expect(await sim.fake('write', 'r0', '160', '--node', B, '--offset', '20000')).toMatchObject({code: 0});
    expect(await sim.drbdadm(B, 'secondary', 'r0')).toMatchObject({code: 0});
    const winner = sha256(sim.image(A));
    const before = (await sim.drbdadm(A, 'get-gi', 'r0')).stdout.split(':');
    expect(await sim.fake('link', 'up')).toMatchObject({code: 0});
    expect((await sim.drbdadm(B, 'cstate', 'r0')).stdout).toBe('Connected\n');
    expect(sha256(sim.image(B))).toBe(winner);
    const dmesg = (await sim.run(A, 'fake-drbd', ['dmesg'])).stdout;
    expect(dmesg).toContain('Split-Brain detected, 0 primaries, automatically solved. Sync from this node');
    expect(dmesg).toContain('Began resync as SyncSource (will sync 1360 KB [340 bits set]).');
    const handlers = (await sim.state()).handlerCalls.map((c) => `${c.handler}@${c.node}`);
    expect(handlers).toEqual(expect.arrayContaining([`initial-split-brain@${A}`, `initial-split-brain@${B}`]));
    expect(handlers.filter((h) => h.startsWith('split-brain@'))).toEqual([]);
    // s2: source FCE...1C:0:3FC3..51:3FC2..51, target FCE...1C:0:3FC3..50:3FC2..51
    const [a, b] = [(await sim.drbdadm(A, 'get-gi', 'r0')).stdout.split(':'), (await sim.drbdadm(B, 'get-gi', 'r0')).stdout.split(':')];
    const synced = fromBig(toBig(before[1] ?? '') + UUID_NEW_BM_OFFSET);
    expect(a.slice(0, 4)).toEqual([before[0], '0000000000000000', synced, before[1]]);
    expect(b.slice(0, 4)).toEqual([before[0], '0000000000000000', stripPrimary(synced), before[1]]);
  });

  test('--discard-my-data on both sides: incompatible, both StandAlone', async () => {
    for (const node of [A, B]) expect(await sim.drbdadm(node, 'disconnect', 'r0')).toMatchObject({code: 0});
    for (const node of [A, B]) expect(await sim.drbdadm(node, 'connect', '--discard-my-data', 'r0')).toMatchObject({code: 0});
    expect([(await sim.drbdadm(A, 'cstate', 'r0')).stdout, (await sim.drbdadm(B, 'cstate', 'r0')).stdout]).toEqual(['StandAlone\n', 'StandAlone\n']);
    expect((await sim.run(A, 'fake-drbd', ['dmesg'])).stdout).toContain('incompatible discard-my-data settings');
    // The flag was one-shot: a plain reconnect is a normal handshake.
    for (const node of [A, B]) expect(await sim.drbdadm(node, 'connect', 'r0')).toMatchObject({code: 0});
    expect((await sim.drbdadm(A, 'cstate', 'r0')).stdout).toBe('Connected\n');
  });
});
