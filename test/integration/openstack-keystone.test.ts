import {execa} from 'execa';
import {existsSync, readFileSync, renameSync, rmSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {readProcStat} from '../../lib/sys/proc';
import type {AgentRun} from '../helpers/installed-agent';
import {createKeystone, destroyLayout, layoutProcesses, serviceAgent, type KeystoneLayout} from '../helpers/openstack';

jest.setTimeout(240_000);

// The installed keystone agent against Debian's real keystone (uWSGI with
// Debian's ini, SQLite, 127.0.0.1:25000). The admin password lives only in
// the root-only credentials file: every agent output and log is searched for it.
const PORT = 25000;
const instance = `it-keystone-${process.pid}`;
const stateDir = `/run/resource-agents/hacloud/${instance}`;
let layout: KeystoneLayout;
const outputs: AgentRun[] = [];
const run = serviceAgent(() => layout, instance);
const agent = async (...args: Parameters<typeof run>): Promise<AgentRun> => {
  const result = await run(...args);
  outputs.push(result);
  return result;
};
// A generous monitor timeout: minting a token costs keystone a password hash, slow on a loaded 2-core machine
// (CI once saw the 20 s default leave 4.5 s for the request).
const DEEP_TIMEOUT_MS = 60_000;
const deep = (depth: number) => agent('monitor', {depth, params: {credentials: layout.credentials}, timeoutMs: DEEP_TIMEOUT_MS});
const expectOk = (result: AgentRun) => expect([result.code, result.reason]).toEqual([0, undefined]);
const mainPid = (): number => Number(readFileSync(join(stateDir, 'keystone.pid'), 'utf8').split('\n')[0]);

beforeAll(async () => {
  layout = await createKeystone(PORT);
});

afterAll(async () => {
  if (layout) {
    await run('stop', {timeoutMs: 30_000}).catch(() => undefined);
    for (const pid of layoutProcesses(layout)) process.kill(pid, 'SIGKILL');
  }
  destroyLayout(layout);
  rmSync(stateDir, {recursive: true, force: true});
});

describe('keystone', () => {
  test('a probe before start finds it not running (7)', async () => {
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
  });

  test('validate-all passes and warns that Debian enabled keystone.service', async () => {
    const result = await agent('validate-all');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('keystone.service is enabled');
  });

  test('start runs uWSGI with a copy of the ini without AppArmor, as keystone, on 127.0.0.1 only', async () => {
    const result = await agent('start', {timeoutMs: 120_000});
    expectOk(result);
    const ini = readFileSync(join(stateDir, 'keystone-uwsgi.ini'), 'utf8');
    expect(ini).not.toMatch(/apparmor-profile/);
    const pid = mainPid();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining(['--http-socket', `127.0.0.1:${PORT}`, '--ini', join(stateDir, 'keystone-uwsgi.ini')]));
    const {uid} = statSync(`/proc/${pid}`);
    expect(uid).toBe(Number((await execa('id', ['-u', 'keystone'])).stdout));
    // The master and its 2 workers.
    expect(layoutProcesses(layout).length).toBeGreaterThanOrEqual(3);
    console.log(`keystone start took ${Math.round(result.ms)} ms`);
  });

  test('start of a started service is 0 and starts nothing more', async () => {
    const before = mainPid();
    expectOk(await agent('start'));
    expect(mainPid()).toBe(before);
  });

  test('monitor passes at depths 0, 10 and 20 (a real token)', async () => {
    expectOk(await agent('monitor', {depth: 0}));
    expectOk(await agent('monitor', {depth: 10}));
    expectOk(await deep(20));
  });

  test('depth 20 keeps its token in a root-only cache and reuses it', async () => {
    const cache = join(stateDir, 'keystone-token.json');
    const first = statSync(cache);
    expect(first.mode & 0o777).toBe(0o600);
    expectOk(await deep(20));
    expect(statSync(cache).mtimeMs).toBe(first.mtimeMs);
  });

  test('without its database keystone passes depth 10 but fails depth 20 with a clear reason', async () => {
    const aside = `${layout.db}.aside`;
    renameSync(layout.db, aside);
    try {
      expectOk(await agent('monitor', {depth: 10}));
      const broken = await deep(20);
      expect(broken.code).toBe(1);
      expect(broken.reason).toMatch(/authenticated GET \/v3\/auth\/projects answered 5\d\d/);
    } finally {
      renameSync(aside, layout.db);
    }
    expectOk(await deep(20));
  });

  test('a wrong password fails depth 20 (Keystone answers 401)', async () => {
    rmSync(join(stateDir, 'keystone-token.json'), {force: true});
    const wrong = join(layout.root, 'wrong.cred');
    await execa('install', ['-m', '0600', '/dev/null', wrong]);
    const {writeFileSync} = require('node:fs') as typeof import('node:fs');
    writeFileSync(wrong, readFileSync(layout.credentials, 'utf8').replace(layout.password, 'not-the-password'));
    const result = await agent('monitor', {depth: 20, params: {credentials: wrong}, timeoutMs: DEEP_TIMEOUT_MS});
    expect([result.code, result.reason]).toEqual([1, 'Keystone issues no token: POST /v3/auth/tokens answered 401']);
  });

  test('a credentials file readable by others is refused (4)', async () => {
    const {chmodSync} = require('node:fs') as typeof import('node:fs');
    chmodSync(layout.credentials, 0o644);
    try {
      const result = await deep(20);
      expect(result.code).toBe(4);
    } finally {
      chmodSync(layout.credentials, 0o600);
    }
  });

  test('kill -9 of the uWSGI master: monitor reports not running (7), stop ends the orphaned workers', async () => {
    const pid = mainPid();
    process.kill(pid, 'SIGKILL');
    const {Deadline} = await import('../../lib/ocf/deadline');
    await Deadline.after(5000).poll(() => readProcStat(pid) === undefined, 50);
    expect((await agent('monitor')).code).toBe(7);
    expectOk(await agent('stop'));
    expect(layoutProcesses(layout)).toEqual([]);
    expectOk(await agent('start', {timeoutMs: 120_000}));
  });

  test('stop ends the whole tree; stop again and a probe agree it is stopped', async () => {
    const result = await agent('stop');
    expectOk(result);
    expect(layoutProcesses(layout)).toEqual([]);
    expect(existsSync(join(stateDir, 'keystone.pid'))).toBe(false);
    expectOk(await agent('stop'));
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
    console.log(`keystone stop took ${Math.round(result.ms)} ms`);
  });

  test('start with a missing config file fails (5) and starts nothing', async () => {
    const result = await agent('start', {params: {config: join(layout.root, 'missing.conf')}});
    expect(result.code).toBe(5);
    expect(result.reason).toContain('missing.conf');
    expect(layoutProcesses(layout)).toEqual([]);
  });

  test('start of a service that dies fails (1) quoting its log, and leaves nothing', async () => {
    const result = await agent('start', {params: {extra_args: '--wsgi-file /nonexistent/app.py --need-app'}, timeoutMs: 60_000});
    expect(result.code).toBe(1);
    expect(result.reason).toMatch(/exited during start|did not pass its checks/);
    expect(result.reason).toContain(layout.params.log_file as string);
    expect(layoutProcesses(layout)).toEqual([]);
  });

  test('the password appears in no agent output and no log', () => {
    for (const result of outputs) {
      expect(result.stdout).not.toContain(layout.password);
      expect(result.stderr).not.toContain(layout.password);
    }
    expect(readFileSync(join(layout.root, 'ha.log'), 'utf8')).not.toContain(layout.password);
    expect(readFileSync(layout.params.log_file as string, 'utf8')).not.toContain(layout.password);
  });
});
