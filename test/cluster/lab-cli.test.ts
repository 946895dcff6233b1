// `make lab` and `make lab-down` as a newcomer runs them: the lab command
// brings up the two-node lab with the whole controller example, answers
// status and shell, fails a node over, and `down` leaves no namespace,
// process, directory or loop device behind.
import {execa} from 'execa';
import {existsSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {listNetns} from '../helpers/netns';
import {KEYSTONE_URL, SERVICES} from './controller-setup';
import {requireOcfAgent} from './harness';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '../..');
const LAB = join(ROOT, 'dist/lab/lab.cjs');
const lab = (args: string[], timeout = 300_000) => execa(process.execPath, [LAB, ...args], {reject: false, timeout, stdin: 'ignore'});
const leftovers = async () => ({
  netns: (await listNetns()).filter((n) => /^hct-l(sw|n\d)-/.test(n)),
  dirs: readdirSync('/var/tmp').filter((d) => d.startsWith('hct-lab-')),
  processes: (await execa('ps', ['-eo', 'args'], {stdin: 'ignore'})).stdout.split('\n').filter((p) => p.includes('lab.cjs daemon')),
});

beforeAll(async () => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql', 'backup', 'rabbitmq', ...Object.keys(SERVICES)]) requireOcfAgent(`ocf:hacloud:${agent}`);
  await execa(process.execPath, [join(ROOT, 'test/cluster/build-lab.mjs')], {stdin: 'ignore'});
  if (existsSync('/run/hacloud-lab/daemon.pid')) throw new Error('a lab is already running here: `make lab-down` first');
});

afterAll(async () => { await lab(['down']); });

test('up brings the stack up and prints how to use it; status, shell and a power-off work; down leaves nothing', async () => {
  const loopsBefore = (await execa('losetup', ['-a'], {stdin: 'ignore'})).stdout.split('\n').filter(Boolean).length;
  const up = await lab(['up'], 600_000);
  expect(up.stderr).toBe('');
  expect(up.exitCode).toBe(0);
  expect(up.stdout).toMatch(/resource g_mysql\/mysql \(ocf:hacloud:mysql\): Started on ctl[12]/);
  expect(up.stdout).toContain('make lab-down');
  for (const service of ['rabbitmq', ...Object.keys(SERVICES)]) {
    expect(up.stdout).toMatch(new RegExp(`resource ${service} \\(ocf:hacloud:${service}\\): Started on ctl[12]`));
  }
  expect(up.stdout).toContain(`Keystone:          ${KEYSTONE_URL}`);
  const holder = /g_mysql\/mysql \(ocf:hacloud:mysql\): Started on (ctl[12])/.exec(up.stdout)?.[1] as string;

  const shell = await lab(['shell', holder, 'hostname']);
  expect(shell.stdout.trim()).toBe(holder);
  expect((await lab(['poweroff', holder])).exitCode).toBe(0);
  const other = holder === 'ctl1' ? 'ctl2' : 'ctl1';
  let moved = false;
  for (let i = 0; i < 120 && !moved; i++) {
    moved = (await lab(['status'])).stdout.includes(`g_mysql/mysql (ocf:hacloud:mysql): Started on ${other}`);
    if (!moved) await new Promise((r) => setTimeout(r, 1000));
  }
  expect(moved).toBe(true);

  const down = await lab(['down']);
  expect(down.stdout).toContain('nothing');
  expect(down.exitCode).toBe(0);
  expect(await leftovers()).toEqual({netns: [], dirs: [], processes: []});
  expect(existsSync('/run/hacloud-lab')).toBe(false);
  expect((await execa('losetup', ['-a'], {stdin: 'ignore'})).stdout.split('\n').filter(Boolean).length).toBe(loopsBefore);
  expect((await lab(['status'])).exitCode).toBe(3);
});
