// What packaging/examples/mysql-on-drbd.crm expects an operator to have done
// before loading it, for the simulated DRBD pair ctl1/ctl2: resource r0 with
// an ext4 filesystem holding an initialised MariaDB (monitor and application
// accounts), and on each node /dev/drbd0, /etc/drbd.conf, the monitor's
// credentials file and small InnoDB settings. Shared by the single-node stack
// test and the lab.
import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {isStartedOn, resourcesById, startFailure, type ClusterStatus} from './crm-mon';
import {type Lab, type LabOptions, startLab} from './lab';
import type {ExecOptions, ExecResult} from './node';
import {copySimulator, writeSimulatorWrappers} from './simulator-copy';

export const EXAMPLE = join(__dirname, '../../packaging/examples/mysql-on-drbd.crm');
export const VIP = '203.0.113.10';
export const STACK = ['fs_mysql', 'vip_db', 'mysql', 'db_backup'] as const;
export type SimNode = 'ctl1' | 'ctl2';

export interface StackFiles {
  /** Directory under /var/tmp that the nodes see (simulator state, staged files). */
  dir: string;
  /** The simulator's script, and wrappers to bind over the nodes' /usr/local/sbin. */
  simScript: string;
  wrappers: string;
  /** Client option file of the application account (for mariadb --defaults-extra-file). */
  appCnf: string;
  monitorPassword: string;
  appPassword: string;
  backupPassword: string;
  /** Seen as /srv by the nodes (the example's backup_dir is /srv/backup/mysql): a remote filesystem every node mounts. */
  srv: string;
  /**
   * Per-node copies of the drbd agent's state directory (markers of DRBD's
   * split-brain handler), to bind over each node's /var/lib/hacloud/drbd.
   */
  agentStateDir(node: string): string;
  /** Runs a simulator program (drbdadm, fake-drbd, ...) as `node` from the host. */
  sim(node: SimNode, program: string, args: readonly string[]): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createStackFiles(): Promise<StackFiles> {
  const dir = mkdtempSync('/var/tmp/hct-stack-');
  chmodSync(dir, 0o755); // mysql must reach the data directory below it
  const simScript = copySimulator(dir).script;
  const wrappers = writeSimulatorWrappers(dir, simScript, join(dir, 'sim'));
  // Distinctive, so a leak into argv or a log is found by a plain search.
  const monitorPassword = `hctMon${randomBytes(8).toString('hex')}`;
  const appPassword = `hctApp${randomBytes(8).toString('hex')}`;
  const backupPassword = `hctBak${randomBytes(8).toString('hex')}`;
  const srv = join(dir, 'srv');
  mkdirSync(join(srv, 'backup', 'mysql'), {recursive: true, mode: 0o700});
  // Small InnoDB files: the simulated device is 160 MiB.
  writeFileSync(join(dir, 'mysql-test.cnf'), '[mysqld]\ninnodb_log_file_size=16M\ninnodb_buffer_pool_size=64M\n');
  const appCnf = join(dir, 'app.cnf');
  writeFileSync(appCnf, `[client]\nuser=app\npassword=${appPassword}\n`, {mode: 0o600});
  const sim = async (node: SimNode, program: string, args: readonly string[]): Promise<string> => {
    const r = await execa(process.execPath, [simScript, program, ...args], {
      env: {FAKE_DRBD_NODE: node, FAKE_DRBD_STATE: join(dir, 'sim')}, reject: false, timeout: 60_000,
    });
    if (r.exitCode !== 0) throw new Error(`${node}: ${program} ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const agentStateDir = (node: string): string => join(dir, 'drbd-state', node);
  // ctl3 too: a lab's third, disk-less node gets the same binds.
  for (const node of ['ctl1', 'ctl2', 'ctl3']) mkdirSync(agentStateDir(node), {recursive: true, mode: 0o700});
  // DRBD runs a handler on the node it concerns; the simulator runs both
  // nodes' handlers in whichever process changed the state (a node's agent, or
  // this test on the host), so the handler picks the node's directory by name.
  writeFileSync(join(dir, 'split-brain-handler'), `#!/bin/sh\nexec /usr/sbin/hacloud drbd-split-brain --state-dir '${join(dir, 'drbd-state')}'/"$FAKE_DRBD_NODE"\n`, {mode: 0o755});
  const cleanup = async (): Promise<void> => {
    for (const node of ['ctl1', 'ctl2'] as const) await sim(node, 'drbdadm', ['down', 'r0']).catch(() => undefined);
    await sim('ctl1', 'fake-drbd', ['teardown']).catch(() => undefined);
    rmSync(dir, {recursive: true, force: true});
  };
  return {dir, simScript, wrappers, appCnf, monitorPassword, appPassword, backupPassword, srv, agentStateDir, sim, cleanup};
}


export interface PrepareDataOptions {
  /** Size of the simulated device (default 160 MiB). */
  sizeMib?: number;
  /**
   * More preparation of the initialised data directory `data` before it is
   * copied onto the device (e.g. schemas loaded through a private server);
   * `cnf` is the server's option file.
   */
  withData?: (data: string, cnf: string) => Promise<void>;
}

// Initialises MariaDB in a directory of the test with the monitor and
// application accounts (the application account may connect from the lab
// network, 203.0.113.0/24), then formats ext4 on ctl1's simulated DRBD
// device and copies the data onto it; leaves both nodes Secondary. The
// device is mounted only for the copy: a cluster node started meanwhile
// (its own mount namespace, a copy of this one's mounts) would keep it busy.
export async function prepareData(f: StackFiles, opts: PrepareDataOptions = {}): Promise<void> {
  const data = join(f.dir, 'prepare-data');
  mkdirSync(data);
  await run('chown', ['mysql:mysql', data]);
  const cnf = join(f.dir, 'prepare.cnf');
  writeFileSync(cnf, readFileSync(join(f.dir, 'mysql-test.cnf')));
  await run('mariadb-install-db', [`--defaults-file=${cnf}`, '--user=mysql', `--datadir=${data}`,
    '--auth-root-authentication-method=socket', '--skip-test-db']);
  // Bootstrap mode: the passwords travel on stdin, never in argv.
  await run('mariadbd', [`--defaults-file=${cnf}`, '--bootstrap', '--user=mysql', `--datadir=${data}`,
    '--skip-networking', `--log-error=${join(f.dir, 'bootstrap.err')}`], [
    'FLUSH PRIVILEGES;',
    `CREATE USER 'hacloud_monitor'@'localhost' IDENTIFIED BY '${f.monitorPassword}';`,
    "GRANT SELECT, SHUTDOWN ON *.* TO 'hacloud_monitor'@'localhost';",
    "GRANT ALL ON hacloud.* TO 'hacloud_monitor'@'localhost';",
    'CREATE DATABASE hacloud_test;',
    'CREATE TABLE hacloud_test.acked (id INT PRIMARY KEY, at TIMESTAMP DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;',
    `CREATE USER 'hacloud_backup'@'localhost' IDENTIFIED BY '${f.backupPassword}';`,
    "GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR ON *.* TO 'hacloud_backup'@'localhost';",
    `CREATE USER 'app'@'203.0.113.%' IDENTIFIED BY '${f.appPassword}';`,
    "GRANT ALL ON hacloud_test.* TO 'app'@'203.0.113.%';",
  ].join('\n'));
  await opts.withData?.(data, cnf);

  const handler = join(f.dir, 'split-brain-handler');
  await f.sim('ctl1', 'fake-drbd', ['init', '--resource', 'r0', '--nodes', 'ctl1,ctl2', '--size-mib', String(opts.sizeMib ?? 160),
    '--handler', `split-brain=${handler}`, '--handler', `initial-split-brain=${handler}`]);
  await f.sim('ctl1', 'drbdadm', ['up', 'r0']);
  await f.sim('ctl2', 'drbdadm', ['up', 'r0']);
  await f.sim('ctl1', 'drbdadm', ['primary', '--force', 'r0']);
  const device = (await f.sim('ctl1', 'drbdadm', ['sh-dev', 'r0'])).trim();
  await run('mkfs.ext4', ['-q', device]);
  const mnt = join(f.dir, 'prepare');
  mkdirSync(mnt);
  await run('mount', [device, mnt]);
  try {
    await run('cp', ['-a', `${data}/.`, mnt]);
    await run('chown', ['mysql:mysql', mnt]);
  } finally {
    await run('umount', [mnt]);
  }
  rmSync(data, {recursive: true, force: true});
  await f.sim('ctl1', 'drbdadm', ['secondary', 'r0']);
}

// What the operator puts on a node before loading the example; `exec` runs
// inside that node (which sees /etc and /dev copy-on-write).
export async function prepareNode(f: StackFiles, node: SimNode,
  exec: (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>): Promise<void> {
  const install = nodeInstaller(f, node, exec);
  const device = (await f.sim(node, 'drbdadm', ['sh-dev', 'r0'])).trim();
  await exec(['ln', '-sfn', device, '/dev/drbd0']);
  await install('/etc/drbd.conf', '# r0 is defined by the simulator (fake-drbd init)\n', '0644');
  await install('/etc/hacloud/mysql-monitor.cnf', `[client]\nuser=hacloud_monitor\npassword=${f.monitorPassword}\n`, '0600');
  await install('/etc/hacloud/mysql-backup.cnf', `[client]\nuser=hacloud_backup\npassword=${f.backupPassword}\n`, '0600');
  await install('/etc/mysql/mariadb.conf.d/99-hacloud-test.cnf', readFileSync(join(f.dir, 'mysql-test.cnf'), 'utf8'), '0644');
}

// Installs a file inside a node: staged under the test directory (the node
// sees /var/tmp, mode 0600), then `install -D` inside the node, so the file
// exists in the node's copy-on-write /etc only. `owner`: user[:group].
export const nodeInstaller = (f: StackFiles, node: string,
  exec: (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>) =>
  async (path: string, content: string, mode: string, owner?: string): Promise<void> => {
    const source = join(f.dir, `staged-${node}-${randomBytes(4).toString('hex')}`);
    writeFileSync(source, content, {mode: 0o600});
    try {
      const [user, group] = (owner ?? '').split(':');
      await exec(['install', '-D', '-m', mode, ...(user ? ['-o', user, '-g', group || user] : []), source, path]);
    } finally {
      rmSync(source, {force: true});
    }
  };

// What every lab node binds: the simulator's drbdadm/drbdsetup first on PATH,
// the shared backup filesystem on /srv, and its own drbd agent state
// directory (see agentStateDir).
export const labBinds = (f: StackFiles): {source: string; target: string}[] => [
  {source: f.wrappers, target: '/usr/local/sbin'},
  {source: f.srv, target: '/srv'},
  {source: f.agentStateDir('{node}'), target: '/var/lib/hacloud/drbd'},
];

// The DRBD node where DRBD is Promoted and every member of `members` runs, if any.
export const stackNode = (s: ClusterStatus, members: readonly string[] = STACK, nodes: readonly string[] = ['ctl1', 'ctl2']): string | undefined =>
  nodes.find((n) => resourcesById(s, 'drbd_r0').some((r) => r.role === 'Promoted' && r.nodes.includes(n))
    && members.every((id) => isStartedOn(s, id, n)));

// The first recorded start failure of DRBD or a stack member (to stop waiting at once).
export const stackFailure = (s: ClusterStatus, members: readonly string[] = STACK): string | undefined =>
  ['drbd_r0', ...members].map((id) => startFailure(s, id)).find((reason) => reason !== undefined);

// mariadb client argv: one statement through the VIP as the application user.
export const appSql = (f: StackFiles, statement: string): string[] => ['mariadb', `--defaults-extra-file=${f.appCnf}`,
  '--protocol=TCP', '-h', VIP, '--connect-timeout=2', '-N', '-B', '-D', 'hacloud_test', '-e', statement];

// Extra preparation of the lab for a larger configuration than the example
// (controller-setup.ts): more binds, and files installed on each DRBD node.
export interface StackExtension {
  binds: {source: string; target: string}[];
  prepareNode(node: SimNode, exec: (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>): Promise<void>;
}

// A lab whose DRBD nodes (ctl1, ctl2) are prepared for the example: the
// simulator, /srv and per-node agent state bound in; a powered-off DRBD node
// loses DRBD's runtime state at once, as a crashed machine does. `extend`
// prepares the nodes for more than the example (the whole controller).
export async function startStackLab(f: StackFiles, opts: Pick<LabOptions, 'nodes' | 'fencing' | 'rebootDelayMs'> & {extend?: StackExtension} = {}): Promise<Lab> {
  const {extend, ...labOpts} = opts;
  const lab = await startLab({
    ...labOpts,
    binds: [...labBinds(f), ...(extend?.binds ?? [])],
    overlays: ['/etc', '/dev', '/var/lib', '/var/log'],
    onPowerOff: async (node) => {
      if (node === 'ctl1' || node === 'ctl2') await f.sim(node, 'fake-drbd', ['crash', node]);
    },
  });
  try {
    for (const node of ['ctl1', 'ctl2'] as const) {
      const exec = (argv: readonly string[], o?: ExecOptions) => lab.exec(node, argv, o);
      await prepareNode(f, node, exec);
      await extend?.prepareNode(node, exec);
    }
  } catch (err) {
    await lab.stop().catch(() => undefined);
    throw err;
  }
  return lab;
}

export async function run(file: string, args: readonly string[], input?: string): Promise<string> {
  const r = await execa(file, args, {reject: false, timeout: 60_000, input, stdin: input === undefined ? 'ignore' : 'pipe'});
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}
