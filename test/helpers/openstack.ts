import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runInstalledAgent, type AgentRun} from './installed-agent';

// Real OpenStack services from Debian's packages on SQLite, in throw-away
// directories under /var/tmp/hct-os-*, listening on 127.0.0.1 only.

export interface ServiceLayout {
  service: string;
  root: string;
  port: number;
  // The agent's parameters for this layout.
  params: Record<string, string>;
}

export interface KeystoneLayout extends ServiceLayout {
  db: string;
  // The admin password: only in the root-only credentials file and keystone's database.
  password: string;
  credentials: string;
}

// Debian's service programs need Debian's python3 (/usr/bin/python3 in their
// shebang) and C locale; nothing from this process's PATH.
const SERVICE_ENV = {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C', HOME: '/root'};

// Runs a program with Debian's service environment (plus `env`), failing with its output's tail.
export async function runAs(file: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<void> {
  const result = await execa(file, args, {env: {...SERVICE_ENV, ...env}, extendEnv: false, reject: false, timeout: timeoutMs, all: true});
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}: ${String(result.all).slice(-2000)}`);
}

function layoutRoot(service: string): string {
  const root = mkdtempSync(`/var/tmp/hct-os-${service}-`);
  chmodSync(root, 0o755);
  return root;
}

const chownTree = (root: string, owner: string) => runAs('chown', ['-R', `${owner}:${owner}`, root]);

// A keystone with its own SQLite database, Fernet and credential keys, and
// an admin bootstrapped with a random password (passed to keystone-manage
// through OS_BOOTSTRAP_PASSWORD, never on a command line).
export async function createKeystone(port: number): Promise<KeystoneLayout> {
  const root = layoutRoot('keystone');
  const db = join(root, 'keystone.db');
  const conf = join(root, 'keystone.conf');
  for (const dir of ['fernet-keys', 'credential-keys']) mkdirSync(join(root, dir), {mode: 0o750});
  writeFileSync(
    conf,
    [
      '[database]',
      `connection = sqlite:///${db}`,
      '[fernet_tokens]',
      `key_repository = ${root}/fernet-keys`,
      '[fernet_receipts]',
      `key_repository = ${root}/fernet-keys`,
      '[credential]',
      `key_repository = ${root}/credential-keys`,
      '',
    ].join('\n'),
  );
  await chownTree(root, 'keystone');
  const manage = ['-u', 'keystone', '--', '/usr/bin/keystone-manage', '--config-file', conf];
  await runAs('runuser', [...manage, 'db_sync']);
  await runAs('runuser', [...manage, 'fernet_setup', '--keystone-user', 'keystone', '--keystone-group', 'keystone']);
  await runAs('runuser', [...manage, 'credential_setup', '--keystone-user', 'keystone', '--keystone-group', 'keystone']);
  const password = `Ks-${randomBytes(6).toString('hex')}-okapi`;
  await runAs('runuser', [...manage, 'bootstrap', '--bootstrap-public-url', `http://127.0.0.1:${port}/v3/`, '--bootstrap-region-id', 'RegionOne'], {
    OS_BOOTSTRAP_PASSWORD: password,
  });
  const credentials = join(root, 'admin.cred');
  writeFileSync(credentials, `auth_url = http://127.0.0.1:${port}/v3\nusername = admin\npassword = ${password}\nproject_name = admin\n`, {mode: 0o600});
  return {
    service: 'keystone',
    root,
    port,
    db,
    password,
    credentials,
    params: {
      config: conf,
      bind_address: '127.0.0.1',
      port: String(port),
      log_file: join(root, 'log', 'keystone.log'),
      extra_args: '--processes 2 --threads 4',
    },
  };
}

export interface GlanceLayout extends ServiceLayout {
  // Touching it disables /healthcheck (oslo.middleware disable_by_file).
  drainFile: string;
}

// glance-api (a plain eventlet daemon) with a file store and no auth, and
// Debian's paste pipeline with its disable file moved into the layout.
export async function createGlance(port: number): Promise<GlanceLayout> {
  const root = layoutRoot('glance');
  const conf = join(root, 'glance-api.conf');
  const drainFile = join(root, 'healthcheck_disable');
  mkdirSync(join(root, 'images'));
  const paste = readFileSync('/etc/glance/glance-api-paste.ini', 'utf8').replace('/etc/glance/healthcheck_disable', drainFile);
  writeFileSync(join(root, 'glance-api-paste.ini'), paste);
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      `bind_host = 127.0.0.1`,
      `bind_port = ${port}`,
      'workers = 1',
      'enabled_backends = fs:file',
      '[database]',
      `connection = sqlite:///${root}/glance.db`,
      '[paste_deploy]',
      'flavor =',
      `config_file = ${root}/glance-api-paste.ini`,
      '[glance_store]',
      'default_backend = fs',
      '[fs]',
      `filesystem_store_datadir = ${root}/images`,
      '[os_glance_staging_store]',
      `filesystem_store_datadir = ${root}/staging`,
      '[os_glance_tasks_store]',
      `filesystem_store_datadir = ${root}/tasks`,
      '',
    ].join('\n'),
  );
  await chownTree(root, 'glance');
  await runAs('runuser', ['-u', 'glance', '--', '/usr/bin/glance-manage', '--config-file', conf, 'db_sync']);
  return {
    service: 'glance-api',
    root,
    port,
    drainFile,
    params: {config: conf, bind_address: '127.0.0.1', port: String(port), log_file: join(root, 'log', 'glance-api.log')},
  };
}


export function destroyLayout(layout: ServiceLayout | undefined): void {
  if (layout) rmSync(layout.root, {recursive: true, force: true});
}

export interface ServiceAgentOptions {
  params?: Record<string, string>;
  interval?: number;
  depth?: number;
  timeoutMs?: number;
  env?: Record<string, string>;
}

// Runs the installed agent of a layout's service.
export const serviceAgent =
  (layout: () => ServiceLayout, instance: string) =>
  (action: string, {params = {}, interval = 20_000, depth, timeoutMs = 60_000, env = {}}: ServiceAgentOptions = {}): Promise<AgentRun> =>
    runInstalledAgent(layout().service, action, {
      instance,
      timeoutMs,
      params: {...layout().params, ...params},
      env: {
        OCF_RESKEY_CRM_meta_interval: String(interval),
        HA_LOGFILE: join(layout().root, 'ha.log'),
        HA_debug: '1',
        ...(depth === undefined ? {} : {OCF_CHECK_LEVEL: String(depth)}),
        ...env,
      },
    });

// The live processes whose /proc files satisfy `match`.
function findPids(match: (read: (file: string) => string) => boolean): number[] {
  const {readdirSync} = require('node:fs') as typeof import('node:fs');
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return match((file) => readFileSync(`/proc/${pid}/${file}`, 'utf8'));
      } catch {
        return false;
      }
    });
}

// Every process whose command line or environment mentions the layout's directory.
export const layoutProcesses = (layout: ServiceLayout): number[] =>
  findPids((read) => read('cmdline').includes(layout.root) || read('environ').includes(layout.root));

export interface BrokerLayout {
  root: string;
  nodename: string;
  port: number;
}

// Processes of a test broker (its node name is in their environment); epmd
// is shared by every node on the host and is left alone.
export const brokerProcesses = (broker: BrokerLayout): number[] =>
  findPids((read) => read('environ').includes(`RABBITMQ_NODENAME=${broker.nodename}\0`) && read('comm').trim() !== 'epmd');

// A RabbitMQ broker from Debian's package, run directly (not through an
// agent) as rabbitmq on 127.0.0.1:port with its own node name and data; the
// default guest user may log in from loopback.
export async function startBroker(port: number): Promise<BrokerLayout> {
  const root = layoutRoot('rabbitmq');
  const nodename = `hctos${process.pid}@localhost`;
  for (const dir of ['log', 'mnesia']) mkdirSync(join(root, dir));
  writeFileSync(join(root, 'enabled_plugins'), '[].\n');
  writeFileSync(join(root, '.erlang.cookie'), randomBytes(12).toString('hex').toUpperCase(), {mode: 0o600});
  await chownTree(root, 'rabbitmq');
  const child = execa('runuser', ['-u', 'rabbitmq', '--', '/usr/lib/rabbitmq/bin/rabbitmq-server'], {
    env: {
      ...SERVICE_ENV,
      HOME: root,
      RABBITMQ_NODENAME: nodename,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(port + 1),
      RABBITMQ_MNESIA_BASE: join(root, 'mnesia'),
      RABBITMQ_LOG_BASE: join(root, 'log'),
      RABBITMQ_PID_FILE: join(root, 'pid'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(root, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: join(root, 'rabbitmq'),
    },
    extendEnv: false,
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    reject: false,
  });
  child.unref();
  const broker = {root, nodename, port};
  const {tcpConnect} = await import('../../lib/sys/tcp-connect');
  const {Deadline} = await import('../../lib/ocf/deadline');
  const deadline = Deadline.after(90_000);
  const up = await deadline.poll(async () => (await tcpConnect('127.0.0.1', port, Deadline.after(1000))).kind === 'connected', 500);
  if (!up) throw new Error(`broker ${nodename} did not listen on 127.0.0.1:${port}`);
  return broker;
}

// Stops a test broker: SIGTERM to the VM, SIGKILL to what is left after 30
// s; the epmd it started goes too once no node is registered there.
export async function stopBroker(broker: BrokerLayout | undefined): Promise<void> {
  if (!broker) return;
  const {Deadline} = await import('../../lib/ocf/deadline');
  for (const pid of brokerProcesses(broker)) process.kill(pid, 'SIGTERM');
  if (!(await Deadline.after(30_000).poll(() => brokerProcesses(broker).length === 0, 200))) {
    for (const pid of brokerProcesses(broker)) process.kill(pid, 'SIGKILL');
  }
  const names = await execa('epmd', ['-names'], {reject: false, env: SERVICE_ENV, extendEnv: false});
  if (/^name /m.test(String(names.stdout))) return;
  for (const pid of findPids((read) => read('environ').includes(`RABBITMQ_NODENAME=${broker.nodename}\0`))) process.kill(pid, 'SIGTERM');
}

// heat-engine (an RPC-only daemon, 2 workers) on SQLite, its transport_url
// pointing at a test broker.
export async function createHeatEngine(brokerPort: number): Promise<ServiceLayout> {
  const root = layoutRoot('heat');
  const conf = join(root, 'heat.conf');
  writeFileSync(
    conf,
    ['[DEFAULT]', `transport_url = rabbit://guest:guest@127.0.0.1:${brokerPort}/`, 'num_engine_workers = 2', '[database]', `connection = sqlite:///${root}/heat.db`, ''].join('\n'),
  );
  await chownTree(root, 'heat');
  await runAs('runuser', ['-u', 'heat', '--', '/usr/bin/heat-manage', '--config-file', conf, 'db_sync']);
  return {service: 'heat-engine', root, port: 0, params: {config: conf, log_file: join(root, 'log', 'heat-engine.log')}};
}

interface UwsgiApi {
  service: string;
  // Its user, group and manage program (<project>-manage).
  project: string;
  confName: string;
  conf: (root: string) => string[];
  // The <project>-manage commands that create the schema.
  syncs: string[][];
  // uWSGI workers' threads (2 processes).
  threads: number;
}

// A uWSGI API on SQLite in its own directory, schema created as the service user.
async function createUwsgiApi(port: number, api: UwsgiApi, prepare: (root: string) => void = () => undefined): Promise<ServiceLayout> {
  const root = layoutRoot(api.service);
  const conf = join(root, api.confName);
  prepare(root);
  writeFileSync(conf, [...api.conf(root), ''].join('\n'));
  await chownTree(root, api.project);
  for (const sync of api.syncs) await runAs('runuser', ['-u', api.project, '--', `/usr/bin/${api.project}-manage`, '--config-file', conf, ...sync]);
  return {
    service: api.service,
    root,
    port,
    params: {
      config: conf,
      bind_address: '127.0.0.1',
      port: String(port),
      log_file: join(root, 'log', `${api.service}.log`),
      extra_args: `--processes 2 --threads ${api.threads}`,
    },
  };
}

const sqlite = (root: string, name: string): string => `connection = sqlite:///${root}/${name}.db`;

// placement-api: its configuration directory in the environment (OS_PLACEMENT_CONFIG_DIR).
export const createPlacement = (port: number): Promise<ServiceLayout> =>
  createUwsgiApi(port, {
    service: 'placement-api',
    project: 'placement',
    confName: 'placement.conf',
    conf: (root) => ['[api]', 'auth_strategy = noauth2', '[placement_database]', sqlite(root, 'placement')],
    syncs: [['db', 'sync']],
    threads: 2,
  });

// heat-api: config files through --pyargv, noauth paste flavor, no broker (fake transport).
export const createHeatApi = (port: number): Promise<ServiceLayout> =>
  createUwsgiApi(port, {
    service: 'heat-api',
    project: 'heat',
    confName: 'heat.conf',
    conf: (root) => ['[DEFAULT]', 'transport_url = fake://', '[database]', sqlite(root, 'heat'), '[paste_deploy]', 'flavor = noauth'],
    syncs: [['db_sync']],
    threads: 2,
  });

// cinder-api: config files through --pyargv, noauth, no broker.
export const createCinderApi = (port: number): Promise<ServiceLayout> =>
  createUwsgiApi(port, {
    service: 'cinder-api',
    project: 'cinder',
    confName: 'cinder.conf',
    conf: (root) => [
      '[DEFAULT]', 'auth_strategy = noauth', 'transport_url = fake://', 'api_paste_config = /etc/cinder/api-paste.ini', `state_path = ${root}`,
      '[database]', sqlite(root, 'cinder'), '[oslo_concurrency]', `lock_path = ${root}/lock`,
    ],
    syncs: [['db', 'sync']],
    threads: 2,
  });

// nova-api: nova-api-wsgi ignores argv and reads api-paste.ini and nova.conf
// from OS_NOVA_CONFIG_DIR (the directory of config). noauth2, no broker.
export const createNovaApi = (port: number): Promise<ServiceLayout> =>
  createUwsgiApi(
    port,
    {
      service: 'nova-api',
      project: 'nova',
      confName: 'nova.conf',
      conf: (root) => [
        '[DEFAULT]', 'transport_url = fake://', `state_path = ${root}`, '[api]', 'auth_strategy = noauth2',
        '[api_database]', sqlite(root, 'nova_api'), '[database]', sqlite(root, 'nova'), '[oslo_concurrency]', `lock_path = ${root}/lock`,
      ],
      syncs: [['api_db', 'sync'], ['db', 'sync']],
      threads: 1,
    },
    (root) => writeFileSync(join(root, 'api-paste.ini'), readFileSync('/etc/nova/api-paste.ini', 'utf8')),
  );
