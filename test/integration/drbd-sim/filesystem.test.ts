import {execa} from 'execa';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {createSim, events2Object, startHealthy, type Sim} from '../../helpers/drbd-sim';

jest.setTimeout(120_000);

// A file system on the simulated device holds real data: written on the
// Primary through a mounted ext4, readable on the other node after failover;
// a mounted device cannot be demoted; a Secondary cannot be written.
describe('ext4 on the simulated device', () => {
  let sim: Sim;
  const mounts: string[] = [];
  const [A, B] = ['ctl1', 'ctl2'];
  const payload = randomBytes(1024 * 1024);

  const mount = async (node: string): Promise<string> => {
    const dir = join(sim.dir, `mnt-${node}`);
    mkdirSync(dir, {recursive: true});
    await execa('mount', [sim.device(node), dir], {timeout: 30_000});
    mounts.push(dir);
    return dir;
  };
  const umount = async (dir: string): Promise<void> => {
    await execa('umount', [dir], {timeout: 30_000});
    mounts.splice(mounts.indexOf(dir), 1);
  };

  beforeAll(async () => {
    sim = await createSim({flavor: '9'});
  });

  afterAll(async () => {
    for (const dir of mounts) await execa('umount', ['-l', dir], {reject: false, timeout: 30_000});
    await sim?.cleanup();
  });

  test('mkfs and a file on the Primary', async () => {
    await startHealthy(sim);
    await execa('mkfs.ext4', ['-q', '-F', sim.device(A)], {timeout: 60_000});
    const dir = await mount(A);
    writeFileSync(join(dir, 'payload.bin'), payload);
    writeFileSync(join(dir, 'hello.txt'), 'hello from ctl1\n');
    const held = await sim.drbdadm(A, 'secondary', 'r0');
    expect(held).toEqual({code: 11, stdout: '', stderr: 'r0: State change failed: (-12) Device is held open by someone\n'
      + 'Command \'drbdsetup secondary r0\' terminated with exit code 11\n'});
    await umount(dir);
  });

  test('the Secondary\'s device is read-only', async () => {
    const r = await execa('mkfs.ext4', ['-q', '-F', sim.device(B)], {reject: false, timeout: 60_000});
    expect(r.exitCode).not.toBe(0);
    expect((await sim.fake('write', 'r0', '4', '--node', B)).code).toBe(1);
  });

  test('failover: demote, promote the other node, the file is there', async () => {
    expect(await sim.drbdadm(A, 'secondary', 'r0')).toMatchObject({code: 0, stderr: ''});
    expect(await sim.drbdadm(B, 'primary', 'r0')).toMatchObject({code: 0, stderr: ''});
    const dir = await mount(B);
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hello from ctl1\n');
    expect(readFileSync(join(dir, 'payload.bin')).equals(payload)).toBe(true);
    writeFileSync(join(dir, 'back.txt'), 'from ctl2\n');
    await umount(dir);
    const events = (await sim.drbdsetup(B, 'events2', '--now', '--statistics', 'r0')).stdout;
    expect(Number(events2Object(events, 'device').written)).toBeGreaterThan(0);
    expect(Number(events2Object(events, 'peer-device').sent)).toBeGreaterThan(0);
  });

  test('writes through a file system while disconnected count as out of sync', async () => {
    expect(await sim.fake('link', 'down')).toMatchObject({code: 0});
    const dir = await mount(B);
    writeFileSync(join(dir, 'while-split.bin'), randomBytes(512 * 1024));
    await umount(dir);
    const oos = Number(events2Object((await sim.drbdsetup(B, 'events2', '--now', '--statistics', 'r0')).stdout, 'peer-device')['out-of-sync']);
    expect(oos).toBeGreaterThanOrEqual(512);
    expect(await sim.fake('link', 'up')).toMatchObject({code: 0});
    // ctl2 (Primary) is ahead: ctl1 resyncs from it, the file system is whole on ctl1.
    expect((await sim.drbdadm(A, 'cstate', 'r0')).stdout).toBe('Connected\n');
    expect(await sim.drbdadm(B, 'secondary', 'r0')).toMatchObject({code: 0});
    expect(await sim.drbdadm(A, 'primary', 'r0')).toMatchObject({code: 0});
    const back = await mount(A);
    expect(readFileSync(join(back, 'back.txt'), 'utf8')).toBe('from ctl2\n');
    expect(readFileSync(join(back, 'while-split.bin')).length).toBe(512 * 1024);
    await umount(back);
    const fsck = await execa('fsck.ext4', ['-n', '-f', sim.device(A)], {reject: false, timeout: 60_000});
    expect(fsck.exitCode).toBe(0);
  });
});
