import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {allCmdlines, createBackupUser, hacloudBackup, processesWith, sampleCmdlinesDuring} from '../helpers/backup';
import {installedAgents, runInstalledAgent, type AgentRun} from '../helpers/installed-agent';
import {createLayout, destroyLayout, sql, writeCredentials, type MariaDbLayout} from '../helpers/mariadb';
import {waitUntil} from '../helpers/wait';

jest.setTimeout(300_000);

// The installed backup agent and `hacloud backup` against a real MariaDB
// (its own layout under /var/tmp, 127.0.0.1:23406; the restored copy on
// 23407). The backup account's password is distinctive so that a leak into
// argv, output, logs, manifests or status is found by a plain search.
const PASSWORD = `Bk-${randomBytes(6).toString('hex')}-okapi`;
const instance = `it-backup-${process.pid}`;
const MYSQL_INSTANCE = `it-backup-mysql-${process.pid}`;

let layout: MariaDbLayout;
let restored: MariaDbLayout | undefined;
let credentials = '';
let backups = '';

const mysqlAgent = (action: string, l: MariaDbLayout, extra: Record<string, string> = {}, inst = MYSQL_INSTANCE) =>
  runInstalledAgent('mysql', action, {instance: inst, timeoutMs: 120_000, params: {...l.params, ...extra}});

interface Options {
  params?: Record<string, string>;
  depth?: number;
  interval?: number;
  inst?: string;
}
const agent = (action: string, {params = {}, depth, interval = 60_000, inst = instance}: Options = {}): Promise<AgentRun> =>
  runInstalledAgent('backup', action, {
    instance: inst,
    timeoutMs: action === 'stop' ? 60_000 : 30_000,
    params: {backup_dir: backups, credentials, socket: layout.socket, datadir: layout.datadir, ...params},
    env: {OCF_RESKEY_CRM_meta_interval: String(interval), HA_LOGFILE: join(layout.root, 'ha.log'), ...(depth === undefined ? {} : {OCF_CHECK_LEVEL: String(depth)})},
  });
const expectOk = (run: AgentRun) => expect([run.code, run.reason]).toEqual([0, undefined]);

const ids = async (table: string, l = layout): Promise<number[]> =>
  (await sql(l, `SELECT id FROM ${table} ORDER BY id`)).split('\n').filter(Boolean).map(Number);
const insertRange = (from: number, to: number) =>
  sql(layout, `INSERT INTO app.t (id, v) SELECT seq, REPEAT('x', 200) FROM seq.seq_${from}_to_${to}`);
const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i);
const goodSets = (dir = backups) => readdirSync(dir).filter((n) => /^\d{8}T\d{6}\.\d{3}Z-(full|diff)$/.test(n));
const leaks: string[] = [];

beforeAll(async () => {
  if (!(await installedAgents()).includes('backup')) throw new Error('the installed hacloud has no backup agent: run make install in this tree');
  layout = createLayout('bk', 23406);
  const started = await mysqlAgent('start', layout, {enable_creation: 'true'});
  if (started.code !== 0) throw new Error(`mysql start failed: ${started.code} ${started.reason}`);
  credentials = await createBackupUser(layout, 'hcbackup', PASSWORD);
  await sql(layout, 'CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(255)) ENGINE=InnoDB');
  backups = join(layout.root, 'backups');
  mkdirSync(backups, {mode: 0o700});
});

afterAll(async () => {
  if (layout) {
    await agent('stop').catch(() => undefined);
    await mysqlAgent('stop', layout).catch(() => undefined);
    if (restored) await mysqlAgent('stop', restored, {}, `${MYSQL_INSTANCE}-r`).catch(() => undefined);
    destroyLayout(layout);
    destroyLayout(restored);
  }
  for (const i of [instance, `${instance}-cut`, MYSQL_INSTANCE, `${MYSQL_INSTANCE}-r`]) rmSync(`/run/resource-agents/hacloud/${i}`, {recursive: true, force: true});
});

describe('hacloud backup: full, differential, restore of exactly the rows before the differential', () => {
  let full = '';
  let diff = '';

  test('full and differential sets, verified, with manifests; the password never in argv', async () => {
    await insertRange(1, 1000);
    const f = await sampleCmdlinesDuring(hacloudBackup(['run', '--backup-dir', backups, '--type', 'full', '--credentials', credentials, '--socket', layout.socket, '--datadir', layout.datadir]));
    expect([f.result.exitCode, f.result.stderr.split('\n').filter((l) => /ERROR/.test(l))]).toEqual([0, []]);
    full = f.result.stdout.trim();
    await insertRange(1001, 2000);
    const d = await sampleCmdlinesDuring(hacloudBackup(['run', '--backup-dir', backups, '--type', 'differential', '--credentials', credentials, '--socket', layout.socket, '--datadir', layout.datadir]));
    expect(d.result.exitCode).toBe(0);
    diff = d.result.stdout.trim();
    await insertRange(2001, 3000);
    // mariabackup was seen running, with the credentials file and never the password.
    const runs = [...f.samples, ...d.samples].filter((c) => c.includes('mariabackup') && c.includes('--backup'));
    expect(runs.some((c) => c.includes(`--defaults-extra-file=${credentials}`))).toBe(true);
    expect([...f.samples, ...d.samples].filter((c) => c.includes(PASSWORD))).toEqual([]);
    leaks.push(f.result.stdout, f.result.stderr, d.result.stdout, d.result.stderr);

    expect(goodSets()).toEqual([full, diff]);
    const fm = JSON.parse(readFileSync(join(backups, full, 'manifest.json'), 'utf8'));
    const dm = JSON.parse(readFileSync(join(backups, diff, 'manifest.json'), 'utf8'));
    expect(fm).toMatchObject({type: 'full', base: null, verification: {method: 'prepare-copy'}, compression: 'none'});
    expect(dm).toMatchObject({type: 'differential', base: full});
    // The differential starts where the full ends; both LSN ranges from xtrabackup_checkpoints.
    expect(dm.lsn.from).toBe(fm.lsn.to);
    expect(BigInt(dm.lsn.last)).toBeGreaterThan(BigInt(fm.lsn.last));
    expect(readFileSync(join(backups, diff, 'data', 'xtrabackup_checkpoints'), 'utf8')).toContain(`to_lsn = ${dm.lsn.to}`);
    expect(dm.sizeBytes).toBeLessThan(fm.sizeBytes);
    expect(fm.files.find((x: {path: string}) => x.path === 'data/ibdata1')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Figures for the report.
    console.log(`full ${full}: ${fm.sizeBytes} bytes, backup ${fm.backupMs} ms, total ${fm.durationMs} ms; differential ${diff}: ${dm.sizeBytes} bytes, backup ${dm.backupMs} ms, total ${dm.durationMs} ms`);
    // Nothing temporary is left.
    expect(readdirSync(backups).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('list shows the chain; verify prepares it', async () => {
    const list = await hacloudBackup(['list', '--backup-dir', backups]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${full}  good +full `, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^  └ ${diff}  good +differential .* base ${full}$`, 'm'));
    const verify = await hacloudBackup(['verify', '--backup-dir', backups, diff]);
    expect([verify.exitCode, verify.stderr]).toEqual([0, '']);
    expect(verify.stdout).toContain(`${full} + ${diff} prepared`);
  });

  test('restore full + differential into a fresh datadir: exactly the rows written before the differential', async () => {
    restored = createLayout('bkr', 23407);
    rmSync(restored.datadir, {recursive: true});
    const r = await hacloudBackup(['restore', '--backup-dir', backups, diff, '--target', restored.datadir]);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`restored ${full} + ${diff} into ${restored.datadir}`);
    const started = await mysqlAgent('start', restored, {}, `${MYSQL_INSTANCE}-r`);
    expect([started.code, started.reason]).toEqual([0, undefined]);
    expect(await ids('app.t', restored)).toEqual(range(1, 2000));
    expect(await sql(restored, 'CHECK TABLE app.t')).toMatch(/status\tOK/);
    await mysqlAgent('stop', restored, {}, `${MYSQL_INSTANCE}-r`);
  });

  test('restore of the full alone has the rows before the full', async () => {
    const target = join(layout.root, 'restored-full');
    const r = await hacloudBackup(['restore', '--backup-dir', backups, full, '--target', target]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(target, 'ibdata1'))).toBe(true);
    if (!restored) throw new Error('no restored layout');
    rmSync(restored.datadir, {recursive: true});
    cpSync(target, restored.datadir, {recursive: true});
    await execa('chown', ['-R', 'mysql:mysql', restored.datadir]);
    expect((await mysqlAgent('start', restored, {}, `${MYSQL_INSTANCE}-r`)).code).toBe(0);
    expect(await ids('app.t', restored)).toEqual(range(1, 1000));
    await mysqlAgent('stop', restored, {}, `${MYSQL_INSTANCE}-r`);
  });

  test('refusals: a non-empty target, a broken chain, a damaged set', async () => {
    if (!restored) throw new Error('no restored layout');
    const busy = await hacloudBackup(['restore', '--backup-dir', backups, diff, '--target', restored.datadir]);
    expect(busy.exitCode).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`^hacloud backup: target ${restored.datadir} is not empty \\(`));
    // The differential without its full.
    const orphan = join(layout.root, 'orphan');
    mkdirSync(orphan);
    cpSync(join(backups, diff), join(orphan, diff), {recursive: true});
    const broken = await hacloudBackup(['restore', '--backup-dir', orphan, diff, '--target', join(layout.root, 'never')]);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr.trim()).toBe(`hacloud backup: set ${diff} is broken: its full set ${full} is missing`);
    expect(existsSync(join(layout.root, 'never'))).toBe(false);
    const list = await hacloudBackup(['list', '--backup-dir', orphan]);
    expect(list.stdout).toContain(`${diff}  broken`);
    // A byte changed in a copy of the full: verify and restore refuse it.
    const damaged = join(layout.root, 'damaged');
    cpSync(backups, damaged, {recursive: true});
    const ibdata = join(damaged, full, 'data', 'ibdata1');
    const bytes = readFileSync(ibdata);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    writeFileSync(ibdata, bytes);
    const v = await hacloudBackup(['verify', '--backup-dir', damaged, diff]);
    expect(v.exitCode).toBe(1);
    expect(v.stderr.trim()).toBe(`hacloud backup: set ${full} is damaged: data/ibdata1: checksum differs from the manifest`);
  });
});

describe('compression=gzip', () => {
  test('compressed full and differential: stored as tarballs, verified, restored with every row', async () => {
    const gz = join(layout.root, 'gz');
    mkdirSync(gz, {mode: 0o700});
    const run = (type: string) =>
      hacloudBackup(['run', '--backup-dir', gz, '--type', type, '--compression', 'gzip', '--credentials', credentials, '--socket', layout.socket, '--datadir', layout.datadir]);
    const f = await run('full');
    expect(f.exitCode).toBe(0);
    await sql(layout, 'INSERT INTO app.t (id, v) VALUES (5000, "after the compressed full")');
    const d = await run('differential');
    expect(d.exitCode).toBe(0);
    const [full, diff] = [f.stdout.trim(), d.stdout.trim()];
    expect(readdirSync(join(gz, diff, 'data')).sort()).toEqual(['backup.tar.gz', 'xtrabackup_checkpoints']);
    const fm = JSON.parse(readFileSync(join(gz, full, 'manifest.json'), 'utf8'));
    console.log(`gzip full: ${fm.sizeBytes} bytes in ${fm.durationMs} ms`);
    expect((await hacloudBackup(['verify', '--backup-dir', gz, diff])).exitCode).toBe(0);
    if (!restored) throw new Error('no restored layout');
    rmSync(restored.datadir, {recursive: true});
    const r = await hacloudBackup(['restore', '--backup-dir', gz, diff, '--target', restored.datadir]);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect((await mysqlAgent('start', restored, {}, `${MYSQL_INSTANCE}-r`)).code).toBe(0);
    expect(await ids('app.t', restored)).toEqual([...range(1, 3000), 5000]);
    await mysqlAgent('stop', restored, {}, `${MYSQL_INSTANCE}-r`);
  });
});

describe('the backup agent', () => {
  const quick = {full_interval: '10m', differential_interval: '8s'};

  test('start arms the schedule: a differential follows the newest full, monitor 0 and 10 succeed, double start keeps one scheduler', async () => {
    const before = goodSets();
    expectOk(await agent('start', {params: quick}));
    const pid = Number(readFileSync(`/run/resource-agents/hacloud/${instance}/scheduler.pid`, 'utf8').split('\n')[0]);
    expect(processesWith(`/run/resource-agents/hacloud/${instance}/scheduler.json`)).toEqual([pid]);
    expectOk(await agent('monitor', {params: quick}));
    expectOk(await agent('monitor', {params: quick, depth: 10}));
    expectOk(await agent('start', {params: quick}));
    expect(processesWith(`/run/resource-agents/hacloud/${instance}/scheduler.json`)).toEqual([pid]);
    // The full of the earlier test is recent: the scheduler takes a differential against it.
    const added = await waitUntil(() => Promise.resolve(goodSets().filter((s) => !before.includes(s)).at(0)), {what: 'a scheduled set', timeoutMs: 60_000, intervalMs: 250});
    expect(added).toMatch(/-diff$/);
    const status = JSON.parse(readFileSync(join(backups, 'status.json'), 'utf8'));
    await waitUntil(async () => JSON.parse(readFileSync(join(backups, 'status.json'), 'utf8')).lastRun?.result === 'success', {what: 'success recorded', timeoutMs: 10_000});
    expect(status).toMatchObject({instance, pid});
    expectOk(await agent('monitor', {params: quick, depth: 10}));
    expectOk(await agent('stop'));
    expect(processesWith(`/run/resource-agents/hacloud/${instance}/scheduler.json`)).toEqual([]);
    expect(await agent('monitor', {params: quick})).toMatchObject({code: 7});
    expect((await agent('monitor', {params: quick, interval: 0})).code).toBe(7);
    expectOk(await agent('stop'));
  });

  test('a backup interrupted by stop leaves no set, no partial directory and no mariabackup', async () => {
    const dir = join(layout.root, 'cut');
    mkdirSync(dir, {mode: 0o700});
    // Enough data that the full takes a while.
    await sql(layout, "CREATE TABLE app.big (id INT PRIMARY KEY, v TEXT) ENGINE=InnoDB; INSERT INTO app.big SELECT seq, REPEAT(MD5(seq), 60) FROM seq.seq_1_to_150000");
    const inst = `${instance}-cut`;
    expectOk(await agent('start', {params: {...quick, backup_dir: dir}, inst}));
    await waitUntil(() => Promise.resolve(processesWith(`--target-dir=${dir}/.partial-`).length > 0), {what: 'mariabackup running', timeoutMs: 30_000, intervalMs: 20});
    expect(readdirSync(dir).some((n) => n.startsWith('.partial-'))).toBe(true);
    const stopped = await agent('stop', {params: {backup_dir: dir}, inst});
    expectOk(stopped);
    expect(processesWith(`${dir}/`)).toEqual([]);
    expect(readdirSync(dir).filter((n) => n !== 'status.json')).toEqual([]);
    const list = await hacloudBackup(['list', '--backup-dir', dir]);
    expect(list.stdout).toContain('no sets');
    expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')).lastRun).toMatchObject({type: 'full', result: 'interrupted', reason: 'interrupted by stop'});
    await sql(layout, 'DROP TABLE app.big');
  });

  test('monitor 10 reports a failed scheduled backup; the password is in no output, log, manifest or status', async () => {
    const dir = join(layout.root, 'weak');
    mkdirSync(dir, {mode: 0o700});
    // Logs in, but lacks the privileges mariabackup needs.
    const weak = await createBackupUser(layout, 'hcweak', `${PASSWORD}w`, '');
    const params = {...quick, backup_dir: dir, credentials: weak};
    expectOk(await agent('start', {params}));
    await waitUntil(async () => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')).lastRun?.result === 'failure', {what: 'a failed backup', timeoutMs: 60_000});
    expect(await agent('monitor', {params})).toMatchObject({code: 0});
    const m = await agent('monitor', {params, depth: 10});
    expect(m.code).toBe(1);
    expect(m.reason).toMatch(/^last scheduled full backup failed at \S+: .*mariabackup.* exited 1/);
    expectOk(await agent('stop', {params}));
    expect(goodSets(dir)).toEqual([]);

    const texts = [
      ...leaks,
      m.stderr,
      readFileSync(join(layout.root, 'ha.log'), 'utf8'),
      readFileSync(`/run/resource-agents/hacloud/${instance}/scheduler.log`, 'utf8'),
      readFileSync(join(backups, 'status.json'), 'utf8'),
      ...goodSets().flatMap((s) => [readFileSync(join(backups, s, 'manifest.json'), 'utf8'), readFileSync(join(backups, s, 'mariabackup.log'), 'utf8')]),
    ];
    expect(texts.filter((t) => t.includes(PASSWORD))).toEqual([]);
    expect(allCmdlines().filter((c) => c.includes(PASSWORD))).toEqual([]);
  });

  test('bad inputs give clear exit reasons', async () => {
    const ro = join(layout.root, 'ro');
    mkdirSync(ro);
    await execa('mount', ['--bind', ro, ro]);
    try {
      await execa('mount', ['-o', 'remount,ro,bind', ro]);
      const r = await agent('start', {params: {backup_dir: ro}});
      expect([r.code, r.reason]).toEqual([4, `backup_dir ${ro} is not writable (read-only filesystem)`]);
    } finally {
      await execa('umount', [ro]);
    }
    const missingDir = await agent('start', {params: {backup_dir: join(layout.root, 'nowhere')}});
    expect([missingDir.code, missingDir.reason]).toEqual([5, `backup_dir ${join(layout.root, 'nowhere')} does not exist: is its filesystem mounted on this node?`]);
    const noTool = await agent('start', {params: {binary: '/nonexistent/mariabackup'}});
    expect([noTool.code, noTool.reason]).toEqual([5, '/nonexistent/mariabackup not found (install the mariadb-backup package)']);
    const wrong = writeCredentials(layout, 'wrong.cnf', '[client]\nuser = hcbackup\npassword = "not-the-password"\n', 0o600);
    const refused = await agent('start', {params: {credentials: wrong}});
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(new RegExp(`^credentials ${wrong}: MariaDB refused the log-in as hcbackup \\(error 1045: Access denied`));
    const open = writeCredentials(layout, 'open.cnf', `[client]\nuser = hcbackup\npassword = "${PASSWORD}"\n`, 0o644);
    chmodSync(open, 0o644);
    const perm = await agent('start', {params: {credentials: open}});
    expect([perm.code, perm.reason]).toEqual([4, `credentials file ${open} has mode 0644: group and others must have no access (chmod 0600)`]);
    const syntax = await agent('start', {params: {full_interval: '1h', differential_interval: '2h'}});
    expect([syntax.code, syntax.reason]).toEqual([6, 'differential_interval must be shorter than full_interval (no differential would ever be taken)']);
    for (const run of [refused, perm]) expect(run.stderr).not.toContain(PASSWORD);
    // None of them left a scheduler behind.
    expect(await agent('monitor')).toMatchObject({code: 7});
  });
});
