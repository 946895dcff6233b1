import {execa} from 'execa';
import {spawn, type ChildProcess} from 'node:child_process';
import {closeSync, copyFileSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runInstalledAgent, type AgentRunOptions} from '../helpers/installed-agent';
import {createLoopLab, isMounted, mountsUnder, type LoopFs, type LoopLab} from '../helpers/loop-fs';
import {waitUntil} from '../helpers/wait';

jest.setTimeout(120_000);

// The installed fs agent against real ext4 filesystems on loop devices,
// mounted under /var/tmp/hct-fs-*. Every process a test starts is killed
// and every mount and loop device removed in afterAll, whatever failed.
let lab: LoopLab;
let main: LoopFs;
let other: LoopFs;
let counter = 0;
const children: ChildProcess[] = [];

const fsAgent = (action: string, params: AgentRunOptions['params'], extra: Omit<AgentRunOptions, 'params'> = {}) =>
  runInstalledAgent('fs', action, {
    ...extra,
    params,
    env: {OCF_RESKEY_CRM_meta_interval: '20000', ...extra.env},
  });
const probe = (params: AgentRunOptions['params']) => fsAgent('monitor', params, {env: {OCF_RESKEY_CRM_meta_interval: '0'}});
const monitorAt = (level: number, params: AgentRunOptions['params']) => fsAgent('monitor', params, {env: {OCF_CHECK_LEVEL: String(level)}});
const newDir = (name: string) => join(lab.base, `${name}-${++counter}`);

// Alive and not a zombie.
const alive = (pid: number | undefined): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
};

// A process that keeps running until killed (sleep 600, or `argv`), in its own group.
function holder(argv: string[], options: {cwd?: string; stdout?: number} = {}): ChildProcess {
  const child = spawn(argv[0] as string, argv.slice(1), {
    cwd: options.cwd ?? '/',
    stdio: ['ignore', options.stdout ?? 'ignore', 'ignore'],
    detached: true,
  });
  child.on('error', () => undefined);
  children.push(child);
  return child;
}

// Waits until the process has exec'd and settled (its cwd and fds are in place).
const settled = (child: ChildProcess, comm: string) =>
  waitUntil(async () => readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === comm, {timeoutMs: 5000, intervalMs: 20, what: `${comm} running`});

const dumpe2fsState = async (device: string): Promise<string> => {
  const {stdout} = await execa('dumpe2fs', ['-h', device], {reject: false});
  return /^Filesystem state:\s*(.*)$/m.exec(String(stdout))?.[1]?.trim() ?? '?';
};

beforeAll(async () => {
  lab = createLoopLab('it');
  main = await lab.create('main');
  other = await lab.create('other');
});

afterAll(async () => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await lab?.cleanup();
});

describe('start, monitor, stop', () => {
  test('codes at every depth, idempotent start and stop, no status file left behind', async () => {
    const directory = newDir('mnt');
    const params = {device: main.device, directory: `${directory}/`, fstype: 'ext4'};
    expect((await probe(params)).code).toBe(7);
    const started = await fsAgent('start', params);
    expect([started.code, started.reason]).toEqual([0, undefined]);
    expect(isMounted(directory)).toBe(true);
    expect((await fsAgent('start', params)).code).toBe(0);
    expect(mountsUnder(directory)).toEqual([directory]);
    expect((await probe(params)).code).toBe(0);
    for (const level of [0, 10, 20]) expect([level, (await monitorAt(level, params)).code]).toEqual([level, 0]);
    // Levels round down: 15 is 10, 99 is 20.
    expect((await monitorAt(99, params)).code).toBe(0);
    expect(readdirSync(join(directory, '.hacloud_fs_status'))).toEqual([]);
    expect((await fsAgent('stop', params)).code).toBe(0);
    expect(isMounted(directory)).toBe(false);
    expect((await fsAgent('stop', params)).code).toBe(0);
    expect((await fsAgent('monitor', params)).code).toBe(7);
  });

  test('the depth-20 write test fails on a filesystem that was remounted read-only', async () => {
    const directory = newDir('mnt');
    const params = {device: main.device, directory, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    await execa('mount', ['-o', 'remount,ro', directory]);
    expect((await monitorAt(10, params)).code).toBe(0);
    const deep = await monitorAt(20, params);
    expect(deep.code).toBe(1);
    expect(deep.reason).toMatch(/write test on .* failed: EROFS/);
    expect((await fsAgent('stop', params)).code).toBe(0);
  });

  test('monitor after an external umount reports not running, start mounts it again', async () => {
    const directory = newDir('mnt');
    const params = {device: main.device, directory, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    await execa('umount', [directory]);
    expect((await fsAgent('monitor', params)).code).toBe(7);
    expect((await fsAgent('start', params)).code).toBe(0);
    expect((await fsAgent('monitor', params)).code).toBe(0);
    expect((await fsAgent('stop', params)).code).toBe(0);
  });

  test('a directory reached through a symlink is found in the mount table under its real path', async () => {
    const real = newDir('real');
    mkdirSync(real, {recursive: true});
    const link = newDir('link');
    symlinkSync(real, link);
    const params = {device: main.device, directory: link, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    expect(isMounted(real)).toBe(true);
    expect((await fsAgent('monitor', params)).code).toBe(0);
    expect((await fsAgent('stop', params)).code).toBe(0);
    expect(isMounted(real)).toBe(false);
  });

  test('a device named by UUID= (no udev here: found through blkid)', async () => {
    const {stdout: uuid} = await execa('blkid', ['-o', 'value', '-s', 'UUID', main.device]);
    const directory = newDir('uuid');
    const params = {device: `UUID=${uuid.trim()}`, directory, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${directory} `);
    expect((await monitorAt(10, params)).code).toBe(0);
    expect((await fsAgent('stop', params)).code).toBe(0);
    expect(isMounted(directory)).toBe(false);
  });
});

describe('someone else on the directory or the device', () => {
  test('another device on the directory: 1 for a monitor, 7 for a probe, start refuses, stop unmounts it', async () => {
    const directory = newDir('mnt');
    mkdirSync(directory, {recursive: true});
    await execa('mount', ['-t', 'ext4', other.device, directory]);
    const params = {device: main.device, directory, fstype: 'ext4'};
    const monitor = await fsAgent('monitor', params);
    expect(monitor.code).toBe(1);
    expect(monitor.reason).toContain(`${directory} has ${other.device}`);
    expect((await probe(params)).code).toBe(7);
    const start = await fsAgent('start', params);
    expect(start.code).toBe(1);
    expect(start.reason).toContain(other.device);
    // Whatever is on our directory comes off at stop (a udev-renamed device is still ours).
    expect((await fsAgent('stop', params)).code).toBe(0);
    expect(isMounted(directory)).toBe(false);
  });

  test('a device already mounted elsewhere is not mounted a second time', async () => {
    const elsewhere = newDir('elsewhere');
    mkdirSync(elsewhere, {recursive: true});
    await execa('mount', ['-t', 'ext4', main.device, elsewhere]);
    try {
      const start = await fsAgent('start', {device: main.device, directory: newDir('mnt'), fstype: 'ext4'});
      expect(start.code).toBe(1);
      expect(start.reason).toBe(`${main.device} is already mounted on ${elsewhere}`);
    } finally {
      await execa('umount', [elsewhere]);
    }
  });

  test('start refuses a directory with something mounted below it', async () => {
    const directory = newDir('mnt');
    mkdirSync(join(directory, 'inner'), {recursive: true});
    await execa('mount', ['-t', 'ext4', other.device, join(directory, 'inner')]);
    try {
      const start = await fsAgent('start', {device: main.device, directory, fstype: 'ext4'});
      expect(start.code).toBe(1);
      expect(start.reason).toContain(`has ${directory}/inner mounted below it`);
      expect(isMounted(directory)).toBe(false);
    } finally {
      await execa('umount', [join(directory, 'inner')]);
    }
  });
});

describe('stop frees a busy mount', () => {
  test('users inside the mount are stopped, users of a sibling sharing the name prefix survive', async () => {
    const directory = newDir('mnt');
    const sibling = `${directory}2`;
    mkdirSync(sibling, {recursive: true});
    const params = {device: main.device, directory, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    // Inside: a working directory, an open file, and a program run from the mount (exe + mappings).
    const inCwd = holder(['sleep', '600'], {cwd: directory});
    const file = openSync(join(directory, 'log'), 'w');
    const withFile = holder(['sleep', '600'], {stdout: file});
    closeSync(file);
    copyFileSync('/usr/bin/sleep', join(directory, 'mysleep'));
    const fromMount = holder([join(directory, 'mysleep'), '600']);
    // Outside: the sibling directory, by cwd and by an open file.
    const siblingCwd = holder(['sleep', '600'], {cwd: sibling});
    const siblingFile = openSync(join(sibling, 'log'), 'w');
    const siblingOpen = holder(['sleep', '600'], {stdout: siblingFile});
    closeSync(siblingFile);
    for (const [child, comm] of [[inCwd, 'sleep'], [withFile, 'sleep'], [fromMount, 'mysleep'], [siblingCwd, 'sleep'], [siblingOpen, 'sleep']] as const) {
      await settled(child, comm);
    }

    const stop = await fsAgent('stop', params);
    expect([stop.code, stop.reason]).toEqual([0, undefined]);
    expect(isMounted(directory)).toBe(false);
    expect(stop.stderr).toContain('sending TERM');
    expect(stop.stderr).toContain(`sleep[${inCwd.pid}] (cwd)`);
    expect(stop.stderr).toContain(`sleep[${withFile.pid}] (fd ${directory}/log)`);
    expect(stop.stderr).toMatch(new RegExp(`mysleep\\[${fromMount.pid}\\] \\((exe|map)`));
    for (const child of [inCwd, withFile, fromMount]) await waitUntil(async () => !alive(child.pid), {timeoutMs: 5000, intervalMs: 50, what: `pid ${child.pid} gone`});
    expect(alive(siblingCwd.pid)).toBe(true);
    expect(alive(siblingOpen.pid)).toBe(true);
    expect(stop.stderr).not.toContain(String(siblingCwd.pid));
  });

  test('a user that ignores TERM is killed inside the deadline', async () => {
    const directory = newDir('mnt');
    const params = {device: main.device, directory, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    const stubborn = holder(['sh', '-c', `trap "" TERM; cd '${directory}' && exec sleep 600`]);
    await settled(stubborn, 'sleep');
    const stop = await fsAgent('stop', params, {timeoutMs: 8000});
    expect([stop.code, stop.reason]).toEqual([0, undefined]);
    expect(stop.ms).toBeLessThan(8000);
    expect(stop.stderr).toContain(`sending TERM to sleep[${stubborn.pid}]`);
    expect(stop.stderr).toContain(`sending KILL to sleep[${stubborn.pid}]`);
    expect(isMounted(directory)).toBe(false);
    await waitUntil(async () => !alive(stubborn.pid), {timeoutMs: 2000, intervalMs: 50, what: 'stubborn sleep gone'});
  });

  test('force_unmount=false signals nothing and fails, naming the holder', async () => {
    const directory = newDir('mnt');
    const params = {device: main.device, directory, fstype: 'ext4', force_unmount: 'false'};
    expect((await fsAgent('start', params)).code).toBe(0);
    const user = holder(['sleep', '600'], {cwd: directory});
    await settled(user, 'sleep');
    const stop = await fsAgent('stop', params);
    expect(stop.code).toBe(1);
    expect(stop.reason).toBe(`cannot unmount ${directory}: in use by sleep[${user.pid}] (force_unmount=false)`);
    expect(alive(user.pid)).toBe(true);
    expect(isMounted(directory)).toBe(true);
    // The default policy frees it.
    expect((await fsAgent('stop', {...params, force_unmount: 'safe'})).code).toBe(0);
    expect(isMounted(directory)).toBe(false);
  });

  test('a nested mount is unmounted first, with its own user stopped', async () => {
    const directory = newDir('mnt');
    const inner = join(directory, 'inner');
    const params = {device: main.device, directory, fstype: 'ext4'};
    expect((await fsAgent('start', params)).code).toBe(0);
    mkdirSync(inner, {recursive: true});
    await execa('mount', ['-t', 'ext4', other.device, inner]);
    const user = holder(['sleep', '600'], {cwd: inner});
    await settled(user, 'sleep');
    const stop = await fsAgent('stop', params);
    expect([stop.code, stop.reason]).toEqual([0, undefined]);
    const order = stop.stderr.split('\n').filter((l) => l.includes('INFO: unmounted'));
    expect(order).toEqual([expect.stringContaining(`unmounted ${inner} (${other.device})`), expect.stringContaining(`unmounted ${directory} (${main.device})`)]);
    expect(mountsUnder(directory)).toEqual([]);
    await waitUntil(async () => !alive(user.pid), {timeoutMs: 2000, intervalMs: 50, what: 'inner user gone'});
  });

  test('a bind mount: its users are stopped, users of the source filesystem outside it are not (#1304)', async () => {
    const directory = newDir('mnt');
    const source = join(directory, 'data');
    const bound = newDir('bound');
    expect((await fsAgent('start', {device: main.device, directory, fstype: 'ext4'})).code).toBe(0);
    mkdirSync(source, {recursive: true});
    const bind = {device: source, directory: bound, fstype: 'none'};
    expect((await fsAgent('start', bind)).code).toBe(0);
    expect((await fsAgent('monitor', bind)).code).toBe(0);
    expect((await monitorAt(20, bind)).code).toBe(0);
    const inside = holder(['sleep', '600'], {cwd: bound});
    // On the same filesystem (same st_dev) but not through the bind mount.
    const sameDevice = holder(['sleep', '600'], {cwd: directory});
    await settled(inside, 'sleep');
    await settled(sameDevice, 'sleep');
    expect((await fsAgent('stop', bind)).code).toBe(0);
    expect(isMounted(bound)).toBe(false);
    await waitUntil(async () => !alive(inside.pid), {timeoutMs: 2000, intervalMs: 50, what: 'bind user gone'});
    expect(alive(sameDevice.pid)).toBe(true);
    expect(isMounted(directory)).toBe(true);
    expect((await fsAgent('stop', {device: main.device, directory, fstype: 'ext4'})).code).toBe(0);
    expect(alive(sameDevice.pid)).toBe(false);
  });
});

describe('configuration and environment errors', () => {
  test('a missing device: start and validate-all 5, probe 7, stop 0', async () => {
    const params = {device: join(lab.base, 'no-such-device'), directory: newDir('mnt'), fstype: 'ext4'};
    const start = await fsAgent('start', params);
    expect([start.code, start.reason]).toEqual([5, `device ${params.device} not found`]);
    expect((await fsAgent('validate-all', params)).code).toBe(5);
    expect((await probe(params)).code).toBe(7);
    expect((await fsAgent('stop', params)).code).toBe(0);
  });

  test('directory=/: 6, a probe 7, a stop 0, and / is left alone', async () => {
    const params = {device: main.device, directory: '/', fstype: 'ext4'};
    const start = await fsAgent('start', params);
    expect([start.code, start.reason]).toEqual([6, 'directory=/ cannot be managed']);
    expect((await probe(params)).code).toBe(7);
    expect((await fsAgent('stop', params)).code).toBe(0);
    expect((await fsAgent('validate-all', params)).code).toBe(6);
  });

  test('a bad run_fsck value is 6', async () => {
    const start = await fsAgent('start', {device: main.device, directory: newDir('mnt'), fstype: 'ext4', run_fsck: 'always'});
    expect([start.code, start.reason]).toEqual([6, 'parameter run_fsck="always": must be one of auto, force, no']);
  });

  test('a filesystem type the kernel does not know is 5', async () => {
    const start = await fsAgent('start', {device: main.device, directory: newDir('mnt'), fstype: 'nosuchfs'});
    expect(start.code).toBe(5);
    expect(start.reason).toContain('filesystem type nosuchfs is not supported');
  });

  test('validate-all checks the device at level 10, syntax only at level 0', async () => {
    const params = {device: join(lab.base, 'absent'), directory: newDir('mnt'), fstype: 'ext4'};
    expect((await fsAgent('validate-all', params, {env: {OCF_CHECK_LEVEL: '0'}})).code).toBe(0);
    expect((await fsAgent('validate-all', params, {env: {OCF_CHECK_LEVEL: '10'}})).code).toBe(5);
    expect((await fsAgent('validate-all', {...params, device: main.device})).code).toBe(0);
  });
});

describe('fsck before mounting', () => {
  let scratch: LoopFs;
  beforeAll(async () => {
    scratch = await lab.create('fsck');
  });
  // Marks the filesystem as having errors (what the kernel does on a detected inconsistency).
  const markErrors = () => execa('debugfs', ['-w', '-R', 'ssv state 2', scratch.device]);

  test('auto skips ext4, force runs fsck -a and it repairs the error state', async () => {
    const directory = newDir('chk');
    await markErrors();
    expect(await dumpe2fsState(scratch.device)).toBe('not clean with errors');
    const auto = await fsAgent('start', {device: scratch.device, directory, fstype: 'ext4'});
    expect(auto.code).toBe(0);
    expect(auto.stderr).not.toContain('running fsck');
    expect((await fsAgent('stop', {device: scratch.device, directory, fstype: 'ext4'})).code).toBe(0);
    expect(await dumpe2fsState(scratch.device)).toContain('with errors');

    const forced = await fsAgent('start', {device: scratch.device, directory, fstype: 'ext4', run_fsck: 'force'});
    expect([forced.code, forced.reason]).toEqual([0, undefined]);
    expect(forced.stderr).toContain(`running fsck -a on ${scratch.device}`);
    expect(forced.stderr).toContain('(errors corrected)');
    expect((await fsAgent('stop', {device: scratch.device, directory, fstype: 'ext4'})).code).toBe(0);
    expect(await dumpe2fsState(scratch.device)).toBe('clean');
  });

  test('fsck exit 4 (uncorrected errors) fails the start with fsck\'s words, nothing mounted', async () => {
    const directory = newDir('chk');
    await execa('debugfs', ['-w', '-R', 'clri <2>', scratch.device]);
    await markErrors();
    try {
      const start = await fsAgent('start', {device: scratch.device, directory, fstype: 'ext4', run_fsck: 'force'});
      expect(start.code).toBe(1);
      expect(start.reason).toMatch(new RegExp(`^fsck of ${scratch.device} failed \\(exit 4\\): .*UNEXPECTED INCONSISTENCY`));
      expect(isMounted(directory)).toBe(false);
    } finally {
      await execa('e2fsck', ['-fy', scratch.device], {reject: false});
    }
  });
});

describe('the status file', () => {
  test('lives at <directory>/<prefix><instance>_<node> while the depth-20 monitor runs', async () => {
    const directory = newDir('mnt');
    const params = {device: main.device, directory, fstype: 'ext4', statusfile_prefix: 'probe-'};
    expect((await fsAgent('start', params)).code).toBe(0);
    // A directory where the status file would go makes the write test fail, naming the file.
    const file = join(directory, 'probe-it-fs_node-a');
    mkdirSync(file);
    const blocked = await monitorAt(20, params);
    expect(blocked.code).toBe(0);
    const named = await fsAgent('monitor', params, {env: {OCF_CHECK_LEVEL: '20', OCF_RESKEY_CRM_meta_on_node: 'node-a'}});
    expect(named.code).toBe(1);
    expect(named.reason).toContain(`EISDIR`);
    expect(named.reason).toContain(file);
    writeFileSync(join(directory, 'keep'), 'x');
    expect((await fsAgent('stop', params)).code).toBe(0);
  });
});
