// Benchmark: the installed hacloud mysql monitor against ocf:heartbeat:mysql's
// on the same running MariaDB in the same run, interleaved, at depths 0 and
// 10. The server runs from a throw-away datadir under /var/tmp on its own
// socket and 127.0.0.1:23308, started by our agent. Both agents read the same
// table at depth 10 as the same user: ours from a root-only credentials
// file, heartbeat's from test_passwd (its argv; acceptable in a bench only).
// Needs root and mariadb-server. Prints medians and ratios; not a test.
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {measure, report} from './measure.mjs';

const HACLOUD = '/usr/lib/ocf/resource.d/hacloud/mysql';
const HEARTBEAT = '/usr/lib/ocf/resource.d/heartbeat/mysql';
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const PORT = 23308;
const USER = 'benchmon';
const PASSWORD = `bench-${randomBytes(6).toString('hex')}`;
const TABLE = 'mysql.innodb_table_stats';

if (process.getuid?.() !== 0) throw new Error('mysql-monitor bench: needs root');

const root = mkdtempSync('/var/tmp/hacloud-bench-mysql-');
chmodSync(root, 0o755);
const datadir = join(root, 'data');
const socket = join(root, 'run', 'mysqld.sock');
const pid = join(root, 'run', 'mysqld.pid');
const log = join(root, 'log', 'error.log');
const credentials = join(root, 'credentials.cnf');
const [uid, gid] = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('mysql:')).split(':').slice(2, 4).map(Number);

const common = {
  PATH: SYSTEM_PATH,
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESKEY_CRM_meta_interval: '20000',
  OCF_RESKEY_CRM_meta_timeout: '30000',
  OCF_RESKEY_datadir: datadir,
  OCF_RESKEY_socket: socket,
  OCF_RESKEY_pid: pid,
  OCF_RESKEY_user: 'mysql',
  OCF_RESKEY_group: 'mysql',
  OCF_RESKEY_log: log,
  OCF_RESKEY_test_table: TABLE,
};
const ours = (depth, {withCredentials = true} = {}) => ({
  ...common,
  OCF_RESOURCE_INSTANCE: 'bench-mysql',
  OCF_RESOURCE_TYPE: 'mysql',
  OCF_RESKEY_bind_address: '127.0.0.1',
  OCF_RESKEY_port: String(PORT),
  OCF_RESKEY_additional_parameters: '--innodb-buffer-pool-size=32M --skip-name-resolve',
  ...(withCredentials ? {OCF_RESKEY_credentials: credentials} : {}),
  OCF_CHECK_LEVEL: String(depth),
});
// What ocf:heartbeat:mysql needs to validate and monitor the same server.
const theirs = (depth) => ({
  ...common,
  OCF_RESOURCE_INSTANCE: 'bench-heartbeat-mysql',
  OCF_RESOURCE_TYPE: 'mysql',
  OCF_RESKEY_binary: '/usr/bin/mysqld_safe',
  OCF_RESKEY_client_binary: '/usr/bin/mariadb',
  OCF_RESKEY_config: '/etc/mysql/my.cnf',
  OCF_RESKEY_test_user: USER,
  OCF_RESKEY_test_passwd: PASSWORD,
  OCF_CHECK_LEVEL: String(depth),
});

const runAgent = (agent, action, env) => execFileSync(agent, [action], {env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
const sql = (statement) => execFileSync('mariadb', ['--no-defaults', '-S', socket, '-u', 'root', '-N', '-B', '-e', statement], {encoding: 'utf8'});

try {
  mkdirSync(datadir);
  chownSync(datadir, uid, gid);
  execFileSync('mariadb-install-db', [`--datadir=${datadir}`, '--user=mysql', '--auth-root-authentication-method=socket', '--skip-test-db'], {stdio: 'ignore'});
  runAgent(HACLOUD, 'start', ours(0, {withCredentials: false}));
  sql(`CREATE USER '${USER}'@'localhost' IDENTIFIED BY '${PASSWORD}'; GRANT SELECT ON ${TABLE} TO '${USER}'@'localhost'`);
  writeFileSync(credentials, `[client]\nuser=${USER}\npassword=${PASSWORD}\n`, {mode: 0o600});

  const version = execFileSync('/usr/lib/hacloud/hacloud', ['version'], {encoding: 'utf8'}).trim();
  const server = sql('SELECT VERSION()').trim();
  console.log(`mysql monitor: installed hacloud (${version}) vs ocf:heartbeat:mysql, same MariaDB ${server} (${datadir}, socket ${socket})`);
  console.log('- depth 0: heartbeat checks the pid file and /proc (plus its validate: binaries, user, group); hacloud reads the pid files');
  console.log('  and pings the server through its socket (greeting, then a log-in and COM_QUIT with the credentials file, or a bare close without).');
  console.log(`- depth 10: heartbeat runs the mariadb client twice (SHOW SLAVE STATUS as root, SELECT COUNT(*) FROM ${TABLE});`);
  console.log(`  hacloud logs in over the socket and runs SELECT 1 FROM ${TABLE} LIMIT 1 on that same connection (its own small client).`);

  const rows = {};
  for (const depth of [0, 10]) {
    for (const [name, argv, env] of [
      ['heartbeat', HEARTBEAT, theirs(depth)],
      ['hacloud', HACLOUD, ours(depth)],
    ]) {
      try {
        runAgent(argv, 'monitor', env);
      } catch (error) {
        throw new Error(`${name} monitor depth ${depth}: exit ${error.status}\n${error.stderr}`);
      }
    }
    const commands = {
      [`heartbeat mysql monitor, depth ${depth}`]: {argv: [HEARTBEAT, 'monitor'], env: theirs(depth)},
      [`hacloud mysql monitor, depth ${depth}`]: {argv: [HACLOUD, 'monitor'], env: ours(depth)},
      ...(depth === 0 ? {'hacloud depth 0, no credentials': {argv: [HACLOUD, 'monitor'], env: ours(0, {withCredentials: false})}} : {}),
      'hacloud version (its start-up)': {argv: ['/usr/lib/hacloud/hacloud', 'version'], env: {}},
    };
    rows[depth] = report(`mysql monitor, depth ${depth}`, measure(commands), `heartbeat mysql monitor, depth ${depth}`, {width: 40});
  }

  console.log('\nsummary: hacloud / heartbeat per monitor (medians)');
  console.log('depth'.padEnd(8), 'heartbeat cpu'.padStart(14), 'ours cpu'.padStart(9), 'cpu ×'.padStart(7), 'heartbeat wall'.padStart(15), 'ours wall'.padStart(10), 'wall ×'.padStart(7));
  for (const depth of [0, 10]) {
    const t = rows[depth][`heartbeat mysql monitor, depth ${depth}`];
    const o = rows[depth][`hacloud mysql monitor, depth ${depth}`];
    console.log(
      String(depth).padEnd(8),
      t.cpu.toFixed(1).padStart(14),
      o.cpu.toFixed(1).padStart(9),
      (o.cpu / t.cpu).toFixed(2).padStart(7),
      t.wall.toFixed(1).padStart(15),
      o.wall.toFixed(1).padStart(10),
      (o.wall / t.wall).toFixed(2).padStart(7),
    );
  }
  const aborted = (readFileSync(log, 'utf8').match(/Aborted connection/g) ?? []).length;
  console.log(`\nserver error log: ${aborted} "Aborted connection" warnings (from the no-credentials depth-0 rows only, expected)`);
} finally {
  try {
    runAgent(HACLOUD, 'stop', ours(0, {withCredentials: false}));
  } catch (error) {
    console.error(`stop: ${error.stderr ?? error.message}`);
  }
  rmSync(root, {recursive: true, force: true});
  rmSync('/run/resource-agents/hacloud/bench-mysql', {recursive: true, force: true});
}
