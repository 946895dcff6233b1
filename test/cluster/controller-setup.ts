// What packaging/examples/controller.crm expects on the lab pair beyond the
// database stack (mysql-stack-setup.ts): the OpenStack services' databases
// and accounts in the MariaDB on DRBD (schemas loaded while the data is
// prepared), keystone's Fernet and credential keys in one directory both
// nodes bind, RabbitMQ's cookie, users and a data directory per node, and
// each service's configuration on both nodes, pointing at the VIP. Passwords
// live only in files of mode 0600 (and in MariaDB and keystone themselves).
import {execa} from 'execa';
import {createHash, randomBytes} from 'node:crypto';
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runAs} from '../helpers/openstack';
import {rabbitIds} from '../helpers/rabbitmq';
import {sleep} from '../helpers/wait';
import type {ExecOptions, ExecResult} from './node';
import {nodeInstaller, type PrepareDataOptions, run, STACK, type StackExtension, type StackFiles, VIP} from './mysql-stack-setup';

export const CONTROLLER = join(__dirname, '../../packaging/examples/controller.crm');
/** The OpenStack services of controller.crm with their API ports (0: RPC only). */
export const SERVICES = {
  keystone: 5000, 'glance-api': 9292, 'placement-api': 8778, 'cinder-api': 8776, 'nova-api': 8774, 'heat-api': 8004, 'heat-engine': 0,
} as const;
export type Service = keyof typeof SERVICES;
/** Every resource of controller.crm that runs where the database runs. */
export const CONTROLLER_STACK: readonly string[] = [...STACK, 'rabbitmq', ...Object.keys(SERVICES)];
export const KEYSTONE_URL = `http://${VIP}:5000/v3`;
export const AMQP_PORT = 5672;
/** The services' RabbitMQ account, and the rabbitmq agent's depth-10 check account. */
export const RABBIT_USER = 'openstack';
export const RABBIT_MONITOR = 'hacloud-monitor';

// Project (service user and database account) → its databases.
const DATABASES: Readonly<Record<string, readonly string[]>> = {
  keystone: ['keystone'], glance: ['glance'], placement: ['placement'], cinder: ['cinder'], nova: ['nova_api', 'nova'], heat: ['heat'],
};

export interface ControllerFiles {
  /** Under the stack's directory (removed with it). */
  dir: string;
  /** Keystone's admin password (the lab client asks for tokens with it). */
  adminPassword: string;
  rabbitPassword: string;
  rabbitMonitorPassword: string;
  /** Database password per project. */
  dbPasswords: Readonly<Record<string, string>>;
  cookie: string;
  /** Keystone's key repositories, bound into both nodes. */
  fernetKeys: string;
  credentialKeys: string;
  /** RabbitMQ's data directory of one node. */
  rabbitData(node: string): string;
  /** Every secret, to search processes and logs for. */
  secrets(): string[];
}

const secret = (tag: string): string => `hct${tag}${randomBytes(8).toString('hex')}`;

export function createControllerFiles(f: StackFiles): ControllerFiles {
  const dir = join(f.dir, 'controller');
  mkdirSync(dir, {recursive: true, mode: 0o755});
  chmodSync(dir, 0o755);
  const dbPasswords = Object.fromEntries(Object.keys(DATABASES).map((p) => [p, secret(`Db${p}`)]));
  const c: ControllerFiles = {
    dir, dbPasswords,
    adminPassword: secret('Adm'), rabbitPassword: secret('Rmq'), rabbitMonitorPassword: secret('RmqMon'),
    cookie: randomBytes(16).toString('hex').toUpperCase(),
    fernetKeys: join(dir, 'fernet-keys'), credentialKeys: join(dir, 'credential-keys'),
    rabbitData: (node) => join(dir, 'rabbitmq', node),
    secrets: () => [c.adminPassword, c.rabbitPassword, c.rabbitMonitorPassword, c.cookie, ...Object.values(dbPasswords)],
  };
  const {uid, gid} = rabbitIds();
  for (const node of ['ctl1', 'ctl2']) {
    mkdirSync(c.rabbitData(node), {recursive: true, mode: 0o750});
    chownSync(c.rabbitData(node), uid, gid);
  }
  return c;
}

// What every lab node binds for the controller: the shared keystone keys, its own RabbitMQ data.
export const controllerBinds = (c: ControllerFiles): {source: string; target: string}[] => [
  {source: c.fernetKeys, target: '/etc/keystone/fernet-keys'},
  {source: c.credentialKeys, target: '/etc/keystone/credential-keys'},
  {source: c.rabbitData('{node}'), target: '/var/lib/rabbitmq/mnesia'},
];

type DbUrl = (project: string, database: string) => string;

interface ServiceFile {
  path: string;
  owner: string;
  content: string;
}

// Each service's configuration file: databases through `db`, the broker at
// the VIP, no keystone authentication in the APIs other than keystone (the
// lab checks keystone's tokens itself), keystone's keys under `keys`.
function serviceFiles(c: ControllerFiles, db: DbUrl, keys = '/etc/keystone'): ServiceFile[] {
  const transport = `transport_url = rabbit://${RABBIT_USER}:${c.rabbitPassword}@${VIP}:${AMQP_PORT}/`;
  const file = (project: string, name: string, lines: string[]): ServiceFile =>
    ({path: `/etc/${project}/${name}`, owner: project, content: `${lines.join('\n')}\n`});
  return [
    file('keystone', 'keystone.conf', [
      '[database]', `connection = ${db('keystone', 'keystone')}`,
      '[fernet_tokens]', `key_repository = ${keys}/fernet-keys`,
      '[fernet_receipts]', `key_repository = ${keys}/fernet-keys`,
      '[credential]', `key_repository = ${keys}/credential-keys`,
    ]),
    file('glance', 'glance-api.conf', [
      '[DEFAULT]', 'bind_host = 0.0.0.0', 'bind_port = 9292', 'workers = 1', 'enabled_backends = fs:file', transport,
      '[database]', `connection = ${db('glance', 'glance')}`,
      '[paste_deploy]', 'flavor =',
      '[glance_store]', 'default_backend = fs',
      '[fs]', 'filesystem_store_datadir = /var/lib/glance/images',
      '[os_glance_staging_store]', 'filesystem_store_datadir = /var/lib/glance/staging',
      '[os_glance_tasks_store]', 'filesystem_store_datadir = /var/lib/glance/tasks',
    ]),
    file('placement', 'placement.conf', ['[api]', 'auth_strategy = noauth2', '[placement_database]', `connection = ${db('placement', 'placement')}`]),
    file('cinder', 'cinder.conf', [
      '[DEFAULT]', 'auth_strategy = noauth', transport, 'api_paste_config = /etc/cinder/api-paste.ini', 'state_path = /var/lib/cinder',
      '[database]', `connection = ${db('cinder', 'cinder')}`, '[oslo_concurrency]', 'lock_path = /var/lib/cinder/lock',
    ]),
    file('nova', 'nova.conf', [
      '[DEFAULT]', transport, 'state_path = /var/lib/nova', '[api]', 'auth_strategy = noauth2',
      '[api_database]', `connection = ${db('nova', 'nova_api')}`, '[database]', `connection = ${db('nova', 'nova')}`,
      '[oslo_concurrency]', 'lock_path = /var/lib/nova/lock',
    ]),
    file('heat', 'heat.conf', [
      '[DEFAULT]', transport, 'num_engine_workers = 2', '[database]', `connection = ${db('heat', 'heat')}`, '[paste_deploy]', 'flavor = noauth',
    ]),
  ];
}

const mysqlUrl = (c: ControllerFiles, project: string, database: string, where: string): string =>
  `mysql+pymysql://${project}:${c.dbPasswords[project]}@${where}/${database}`;

// The schema commands per project (<project>-manage), run as the project's user.
const SYNCS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  keystone: [['db_sync']], glance: [['db_sync']], placement: [['db', 'sync']], cinder: [['db', 'sync']],
  nova: [['api_db', 'sync'], ['db', 'sync']], heat: [['db_sync']],
};

// While prepareData has initialised MariaDB's data: a private MariaDB on a
// socket creates every service's databases and accounts (from the lab
// network and from localhost), loads the schemas, makes keystone's keys and
// bootstraps its admin (endpoint on the VIP); then stops.
export async function prepareServiceData(c: ControllerFiles, data: string, cnf: string): Promise<void> {
  const runDir = join(c.dir, 'run');
  mkdirSync(runDir, {recursive: true});
  await run('chown', ['mysql:mysql', runDir]);
  const socket = join(runDir, 'mysqld.sock');
  const server = execa('mariadbd', [`--defaults-file=${cnf}`, '--user=mysql', `--datadir=${data}`, '--skip-networking',
    `--socket=${socket}`, `--pid-file=${join(runDir, 'mysqld.pid')}`, `--log-error=${join(c.dir, 'prepare-mysqld.err')}`],
  {reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore'});
  try {
    for (let i = 0; ; i++) {
      const ping = await execa('mariadb-admin', [`--socket=${socket}`, '-u', 'root', 'ping'], {reject: false, stdin: 'ignore'});
      if (ping.exitCode === 0) break;
      if (i > 120 || server.exitCode !== null) throw new Error(`the preparation MariaDB did not start: ${readTail(join(c.dir, 'prepare-mysqld.err'))}`);
      await sleep(250);
    }
    const sql = Object.entries(DATABASES).flatMap(([project, dbs]) => [
      ...dbs.map((d) => `CREATE DATABASE ${d} CHARACTER SET utf8mb4;`),
      ...['localhost', '203.0.113.%'].flatMap((host) => [
        `CREATE USER '${project}'@'${host}' IDENTIFIED BY '${c.dbPasswords[project]}';`,
        ...dbs.map((d) => `GRANT ALL ON ${d}.* TO '${project}'@'${host}';`),
      ]),
    ]);
    await run('mariadb', [`--socket=${socket}`, '-u', 'root'], sql.join('\n'));
    // Host-side copies of the configurations, databases through the socket.
    const local = (project: string, database: string): string =>
      `${mysqlUrl(c, project, database, 'localhost')}?unix_socket=${socket}`;
    for (const dir of [c.fernetKeys, c.credentialKeys]) mkdirSync(dir, {recursive: true, mode: 0o750});
    await run('chown', ['keystone:keystone', c.fernetKeys, c.credentialKeys]);
    const confs = new Map<string, string>();
    for (const sf of serviceFiles(c, local, c.dir)) {
      const path = join(c.dir, 'sync', sf.owner, sf.path.split('/').pop() as string);
      mkdirSync(join(c.dir, 'sync', sf.owner), {recursive: true, mode: 0o755});
      writeFileSync(path, sf.content, {mode: 0o600});
      await run('chown', [`${sf.owner}:${sf.owner}`, path]);
      confs.set(sf.owner, path);
    }
    const manage = (project: string, args: readonly string[], env: Record<string, string> = {}) =>
      runAs('runuser', ['-u', project, '--', `/usr/bin/${project}-manage`, '--config-file', confs.get(project) as string, ...args], env, 300_000);
    // The schemas in parallel (separate databases); keystone's keys and admin after its schema.
    await Promise.all(Object.entries(SYNCS).map(async ([project, syncs]) => {
      for (const sync of syncs) await manage(project, sync);
      if (project !== 'keystone') return;
      for (const setup of ['fernet_setup', 'credential_setup']) await manage('keystone', [setup, '--keystone-user', 'keystone', '--keystone-group', 'keystone']);
      await manage('keystone', ['bootstrap', '--bootstrap-public-url', `${KEYSTONE_URL}/`, '--bootstrap-region-id', 'RegionOne'],
        {OS_BOOTSTRAP_PASSWORD: c.adminPassword});
    }));
  } finally {
    await execa('mariadb-admin', [`--socket=${socket}`, '-u', 'root', 'shutdown'], {reject: false, stdin: 'ignore'});
    const killer = setTimeout(() => server.kill('SIGKILL'), 60_000);
    await server;
    clearTimeout(killer);
  }
}

function readTail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-5).join(' | ') : '(no log)';
}

// RabbitMQ's boot-time definitions: the services' account and the monitor's
// (configure/write/read on server-named queues only), passwords as salted
// SHA-256 hashes.
function rabbitDefinitions(c: ControllerFiles): string {
  const hash = (password: string): string => {
    const salt = randomBytes(4);
    return Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from(password, 'utf8')])).digest()]).toString('base64');
  };
  const user = (name: string, password: string, tags: string) =>
    ({name, password_hash: hash(password), hashing_algorithm: 'rabbit_password_hashing_sha256', tags});
  return `${JSON.stringify({
    users: [user(RABBIT_USER, c.rabbitPassword, ''), user(RABBIT_MONITOR, c.rabbitMonitorPassword, 'monitoring')],
    vhosts: [{name: '/'}],
    permissions: [
      {user: RABBIT_USER, vhost: '/', configure: '.*', write: '.*', read: '.*'},
      {user: RABBIT_MONITOR, vhost: '/', configure: '^amq\\.gen.*', write: '^amq\\.gen.*', read: '^amq\\.gen.*'},
    ],
  }, null, 2)}\n`;
}

// Debian's uWSGI ini of a service with fewer workers (8 processes × 32
// threads each would start 40 interpreters on the lab's two cores).
function tunedIni(ini: string): string {
  return readFileSync(ini, 'utf8').replace(/^processes\s*=.*$/m, 'processes = 2').replace(/^threads\s*=.*$/m, 'threads = 4');
}

const UWSGI_INIS = ['/etc/keystone/keystone-uwsgi.ini', '/etc/placement/placement-api-uwsgi.ini', '/etc/cinder/cinder-api-uwsgi.ini',
  '/etc/nova/nova-api-uwsgi.ini', '/etc/heat/heat-api-uwsgi.ini'];

// What the operator puts on a node for controller.crm beyond the database
// stack's files; `exec` runs inside the node.
export async function prepareControllerNode(f: StackFiles, c: ControllerFiles, node: string,
  exec: (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>): Promise<void> {
  const install = nodeInstaller(f, node, exec);
  await install('/etc/hacloud/rabbitmq.cookie', c.cookie, '0600');
  await install('/etc/hacloud/rabbitmq-monitor.pw', `${c.rabbitMonitorPassword}\n`, '0600');
  await install('/etc/rabbitmq/rabbitmq.conf',
    'definitions.import_backend = local_filesystem\ndefinitions.local.path = /etc/rabbitmq/definitions.json\n', '0644');
  await install('/etc/rabbitmq/definitions.json', rabbitDefinitions(c), '0600', 'rabbitmq');
  for (const sf of serviceFiles(c, (project, database) => mysqlUrl(c, project, database, VIP))) {
    await install(sf.path, sf.content, '0600', sf.owner);
  }
  for (const ini of UWSGI_INIS) await install(ini, tunedIni(ini), '0644');
}

// The lab extension of startStackLab for controller.crm.
export const controllerExtension = (f: StackFiles, c: ControllerFiles): StackExtension => ({
  binds: controllerBinds(c),
  prepareNode: (node, exec) => prepareControllerNode(f, c, node, exec),
});

// prepareData's options for controller.crm: a larger device, the services' schemas.
export const controllerData = (c: ControllerFiles): PrepareDataOptions => ({
  sizeMib: 320,
  withData: (data, cnf) => prepareServiceData(c, data, cnf),
});
