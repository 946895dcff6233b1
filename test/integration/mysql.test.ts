import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import {createServer, type Server} from 'node:net';
import {join} from 'node:path';
import {runInstalledAgent, type AgentRun} from '../helpers/installed-agent';
import {
  createLayout,
  createMonitorUser,
  destroyLayout,
  mysqlIds,
  serverPids,
  sql,
  writeCredentials,
  type MariaDbLayout,
} from '../helpers/mariadb';

jest.setTimeout(180_000);

// The installed mysql agent against a real MariaDB in a throw-away layout
// under /var/tmp (127.0.0.1:23306 only). The monitor user's password exists
// only in the root-only credentials file; it is distinctive so that any leak
// (ps, the agent's output, its log file, the server's log) is found.
const PASSWORD = `Pw-${randomBytes(6).toString('hex')}-zebra`;
const PORT = 23306;
const instance = `it-mysql-${process.pid}`;

let layout: MariaDbLayout;
let credentials = '';
const haLog = () => join(layout.root, 'ha.log');

interface Options {
  params?: Record<string, string>;
  interval?: number;
  depth?: number;
  timeoutMs?: number;
  env?: Record<string, string>;
}

const agent = (action: string, {params = {}, interval = 20_000, depth, timeoutMs = 60_000, env = {}}: Options = {}): Promise<AgentRun> =>
  runInstalledAgent('mysql', action, {
    instance,
    timeoutMs,
    params: {...layout.params, credentials, ...params},
    env: {
      OCF_RESKEY_CRM_meta_interval: String(interval),
      HA_LOGFILE: haLog(),
      HA_debug: '1',
      ...(depth === undefined ? {} : {OCF_CHECK_LEVEL: String(depth)}),
      ...env,
    },
  });

const expectOk = (run: AgentRun) => expect([run.code, run.reason]).toEqual([0, undefined]);
const serverPid = (): number => Number(readFileSync(layout.pid, 'utf8').trim());

beforeAll(async () => {
  layout = createLayout('it', PORT);
  // The datadir is empty: enable_creation initialises it (mariadb-install-db).
  const started = await agent('start', {params: {enable_creation: 'true', credentials: ''}, timeoutMs: 120_000});
  if (started.code !== 0) throw new Error(`initial start failed: ${started.code} ${started.reason}\n${started.stderr}`);
  credentials = await createMonitorUser(layout, 'hamon', PASSWORD);
});

afterAll(async () => {
  if (layout) {
    await agent('stop', {timeoutMs: 30_000}).catch(() => undefined);
    destroyLayout(layout);
  }
  rmSync(`/run/resource-agents/hacloud/${instance}`, {recursive: true, force: true});
});

describe('start, monitor, stop', () => {
  test('start created the run and log directories the package forgot, owned by mysql', () => {
    const {uid, gid} = mysqlIds();
    for (const dir of [join(layout.root, 'run'), join(layout.root, 'log')]) {
      expect(statSync(dir)).toMatchObject({uid, gid});
    }
    expect(statSync(layout.log).uid).toBe(uid);
    expect(existsSync(join(layout.datadir, 'mysql'))).toBe(true);
  });

  test('monitor depths 0, 10 and 20 succeed; depth 20 writes the heartbeat row', async () => {
    const aborted = () => (readFileSync(layout.log, 'utf8').match(/Aborted connection/g) ?? []).length;
    const abortedBefore = aborted();
    expectOk(await agent('monitor', {depth: 0}));
    expectOk(await agent('monitor', {depth: 10}));
    // The node name goes into the statement as a literal, quotes and backslashes included.
    const node = `node-'x"y\\z;--`;
    expectOk(await agent('monitor', {depth: 20, params: {heartbeat_table: 'hacloud.beat'}, env: {OCF_RESKEY_CRM_meta_on_node: node}}));
    const rows = await sql(layout, 'SELECT HEX(node), agent_pid > 0 FROM hacloud.beat');
    expect(rows.split('\t')).toEqual([Buffer.from(node).toString('hex').toUpperCase(), '1']);
    // An unsupported depth rounds down (30 → 20).
    expectOk(await agent('monitor', {depth: 30, params: {heartbeat_table: 'hacloud.beat'}, env: {OCF_RESKEY_CRM_meta_on_node: node}}));
    // Every session ended with COM_QUIT: the server logged no aborted connection.
    expect(aborted()).toBe(abortedBefore);
  });

  test('depth 10 without credentials is a configuration error; a probe needs none', async () => {
    const out = await agent('monitor', {depth: 10, params: {credentials: ''}});
    expect([out.code, out.reason]).toEqual([6, 'monitor depth 10 needs the credentials parameter (a root-only defaults file with user= and password=)']);
    expectOk(await agent('monitor', {depth: 10, interval: 0, params: {credentials: ''}}));
  });

  test('double start is 0 and keeps the same server', async () => {
    const pid = serverPid();
    expectOk(await agent('start'));
    expect(serverPid()).toBe(pid);
    expect(serverPids(layout)).toEqual([pid]);
  });

  test('committed rows survive stop and start; double stop is 0; files are cleaned up', async () => {
    await sql(layout, 'CREATE DATABASE IF NOT EXISTS app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB; INSERT INTO app.t VALUES (1, "kept")');
    const stopped = await agent('stop');
    expectOk(stopped);
    expect(stopped.stderr).toContain('SHUTDOWN sent');
    expect(serverPids(layout)).toEqual([]);
    expect(existsSync(layout.socket)).toBe(false);
    expect(existsSync(layout.pid)).toBe(false);
    expectOk(await agent('stop'));
    expect((await agent('monitor')).code).toBe(7);
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
    expectOk(await agent('start'));
    expect(await sql(layout, 'SELECT v FROM app.t WHERE id = 1')).toBe('kept');
  });

  test('kill -9: monitor and probe report 7 (stale pid file and socket), start recovers the data', async () => {
    await sql(layout, 'INSERT INTO app.t VALUES (2, "before-crash")');
    const pid = serverPid();
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
    expect(existsSync(layout.pid)).toBe(true);
    expect((await agent('monitor')).code).toBe(7);
    expect((await agent('monitor', {interval: 0})).code).toBe(7);
    expectOk(await agent('start'));
    expect(serverPid()).not.toBe(pid);
    expect(await sql(layout, 'SELECT v FROM app.t WHERE id = 2')).toBe('before-crash');
    expectOk(await agent('monitor', {depth: 10}));
  });

  test('a server that ignores its shutdown (SIGSTOP) is killed inside the stop deadline', async () => {
    await sql(layout, 'CREATE DATABASE IF NOT EXISTS app; CREATE TABLE app.s (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO app.s VALUES (1)');
    const pid = serverPid();
    process.kill(pid, 'SIGSTOP');
    try {
      // A hung server also fails the depth-0 monitor (quickly with a short timeout).
      const hung = await agent('monitor', {timeoutMs: 4000});
      expect(hung.code).toBe(1);
      expect(hung.reason).toMatch(new RegExp(`server process ${pid} \\(stopped \\(SIGSTOP\\)\\) does not answer on ${layout.socket}`));
      const started = Date.now();
      const stopped = await agent('stop', {timeoutMs: 30_000});
      expectOk(stopped);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(stopped.stderr).toContain('SIGKILL');
      expect(serverPids(layout)).toEqual([]);
      expect(existsSync(layout.socket)).toBe(false);
      expect((await agent('monitor')).code).toBe(7);
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // killed by stop, as it should be
      }
    }
    expectOk(await agent('start'));
    expect(await sql(layout, 'SELECT COUNT(*) FROM app.s')).toBe('1');
  });
});

describe('failures with clear reasons', () => {
  test('a missing datadir is 5 and says to check the mount', async () => {
    const missing = join(layout.root, 'not-mounted');
    const out = await agent('start', {params: {datadir: missing, socket: join(layout.root, 'x.sock'), pid: join(layout.root, 'x.pid')}, timeoutMs: 20_000});
    expect([out.code, out.reason]).toEqual([5, `datadir ${missing} does not exist: is its filesystem (the DRBD device) mounted on this node?`]);
  });

  test('an empty datadir (mount point without its filesystem) is 5; one of another owner is 4', async () => {
    const empty = join(layout.root, 'empty');
    mkdirSync(empty);
    const other = {socket: join(layout.root, 'x.sock'), pid: join(layout.root, 'x.pid')};
    const out = await agent('start', {params: {datadir: empty, ...other}, timeoutMs: 20_000});
    expect([out.code, out.reason]).toEqual([5, `datadir ${empty} holds no mysql/ system database: is the right filesystem mounted? (set enable_creation=true to initialise an empty one)`]);
    mkdirSync(join(empty, 'mysql'));
    const {uid} = mysqlIds();
    const wrong = await agent('start', {params: {datadir: empty, ...other}, timeoutMs: 20_000});
    expect([wrong.code, wrong.reason]).toEqual([4, `datadir ${empty} belongs to uid 0, not to mysql (uid ${uid}): chown -R mysql:mysql ${empty}`]);
  });

  test('validate-all checks this node: binary, config, user and group (5)', async () => {
    const cases: [Record<string, string>, string][] = [
      [{binary: '/usr/sbin/no-such-mariadbd'}, 'server binary /usr/sbin/no-such-mariadbd not found or not executable'],
      [{config: join(layout.root, 'none.cnf')}, `config ${join(layout.root, 'none.cnf')} is not readable: ENOENT`],
      [{user: 'no-such-user'}, 'user no-such-user does not exist on this node'],
      [{group: 'no-such-group'}, 'group no-such-group does not exist on this node'],
    ];
    for (const [params, reason] of cases) {
      const out = await agent('validate-all', {params});
      expect([out.code, out.reason]).toEqual([5, reason]);
    }
    expectOk(await agent('validate-all'));
    // Syntax only at level 0: nothing on this node is looked at.
    expectOk(await agent('validate-all', {depth: 0, params: {binary: '/usr/sbin/no-such-mariadbd'}}));
  });

  test('a wrong password fails depth 10 with the server\'s reason; depth 0 stays 0', async () => {
    const bad = writeCredentials(layout, 'wrong.cnf', '[client]\nuser=hamon\npassword=not-the-one\n', 0o600);
    const out = await agent('monitor', {depth: 10, params: {credentials: bad}});
    expect(out.code).toBe(1);
    expect(out.reason).toBe("depth 10: SELECT from mysql.innodb_table_stats as hamon failed: error 1045: Access denied for user 'hamon'@'localhost' (using password: YES)");
    const level0 = await agent('monitor', {depth: 0, params: {credentials: bad}});
    expect(level0.code).toBe(0);
    expect(level0.stderr).toContain('the log-in with the credentials failed');
  });

  test('a group-readable credentials file is refused (4) by validate-all and monitor depth 10', async () => {
    const open = writeCredentials(layout, 'open.cnf', `[client]\nuser=hamon\npassword=${PASSWORD}\n`, 0o640);
    const reason = `credentials file ${open} has mode 0640: group and others must have no access (chmod 0600)`;
    const validated = await agent('validate-all', {params: {credentials: open}});
    expect([validated.code, validated.reason]).toEqual([4, reason]);
    const monitored = await agent('monitor', {depth: 10, params: {credentials: open}});
    expect([monitored.code, monitored.reason]).toEqual([4, reason]);
    chownSync(open, mysqlIds().uid, 0);
    chmodSync(open, 0o600);
    const foreign = await agent('monitor', {depth: 10, params: {credentials: open}});
    expect([foreign.code, foreign.reason]).toEqual([4, `credentials file ${open} is owned by uid ${mysqlIds().uid}, not root`]);
    const missing = await agent('monitor', {depth: 10, params: {credentials: join(layout.root, 'none.cnf')}});
    expect([missing.code, missing.reason]).toEqual([2, `credentials file ${join(layout.root, 'none.cnf')}: does not exist`]);
  });

  test('a user without the SHUTDOWN privilege: stop falls back to SIGTERM with the server\'s reason', async () => {
    await sql(layout, `CREATE USER 'hanoshut'@'localhost' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT ON mysql.innodb_table_stats TO 'hanoshut'@'localhost'`);
    const noShutdown = writeCredentials(layout, 'noshut.cnf', `[client]\nuser=hanoshut\npassword=${PASSWORD}\n`, 0o600);
    expectOk(await agent('monitor', {depth: 10, params: {credentials: noShutdown}}));
    const stopped = await agent('stop', {params: {credentials: noShutdown}, timeoutMs: 30_000});
    expectOk(stopped);
    expect(stopped.stderr).toContain(
      `SHUTDOWN through ${layout.socket} failed (error 1227: Access denied; you need (at least one of) the SHUTDOWN privilege(s) for this operation): SIGTERM instead`,
    );
    expect(serverPids(layout)).toEqual([]);
    expectOk(await agent('start'));
  });

  test('a server that cannot start fails the start with its error log, and nothing is left running', async () => {
    expectOk(await agent('stop'));
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(PORT, '127.0.0.1', resolve));
    try {
      const out = await agent('start');
      expect(out.code).toBe(1);
      expect(out.reason).toMatch(/^server exited during start: .*\[ERROR\].*(Address already in use|Bind on TCP\/IP port)/);
      expect(serverPids(layout)).toEqual([]);
      expect((await agent('monitor')).code).toBe(7);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    expectOk(await agent('start'));
  });
});

describe('the password stays secret', () => {
  test('never in ps output, the agent\'s output, its log file, the server\'s environment or log', async () => {
    const samples: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const {stdout} = await execa('ps', ['-eo', 'args'], {reject: false});
        samples.push(String(stdout));
      }
    })();
    const runs: AgentRun[] = [];
    try {
      runs.push(await agent('stop'));
      runs.push(await agent('start'));
      for (const depth of [0, 10, 20]) runs.push(await agent('monitor', {depth}));
      runs.push(await agent('validate-all'));
      const pid = serverPid();
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(environ).not.toContain(PASSWORD);
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(credentials);
      runs.push(await agent('stop'));
      runs.push(await agent('start'));
    } finally {
      sampling = false;
      await sampler;
    }
    for (const run of runs) expect(run.code).toBe(0);
    expect(samples.length).toBeGreaterThan(5);
    // The sampler saw the agent and the server at work.
    expect(samples.some((s) => s.includes(`--datadir=${layout.datadir}`))).toBe(true);
    for (const sample of samples) expect(sample).not.toContain(PASSWORD);
    for (const run of runs) expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
    expect(readFileSync(haLog(), 'utf8')).not.toContain(PASSWORD);
    expect(readFileSync(layout.log, 'utf8')).not.toContain(PASSWORD);
  });
});

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pid ${pid} still alive`);
}
