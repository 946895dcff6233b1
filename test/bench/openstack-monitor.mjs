// Benchmark: the installed hacloud keystone monitor at depths 0, 10 and 20
// (cached token) against a bare `node -e 0` and `hacloud version`, on
// Debian's real keystone (uWSGI, SQLite, 127.0.0.1:25200) started by our
// agent from a throw-away directory under /var/tmp. Nothing comparable
// exists in resource-agents; the ORA keystone agent cannot run against
// keystone 22 (keystone-all is gone: rc 5). Needs root and the keystone
// package. Prints medians; not a test.
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {measure, report} from './measure.mjs';

const AGENT = '/usr/lib/ocf/resource.d/hacloud/keystone';
const PORT = 25200;
const SYSTEM = {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'};
if (process.getuid?.() !== 0) throw new Error('openstack-monitor bench: needs root');

const root = mkdtempSync('/var/tmp/hct-os-bench-');
chmodSync(root, 0o755);
const conf = join(root, 'keystone.conf');
const credentials = join(root, 'admin.cred');
const password = `bench-${randomBytes(6).toString('hex')}`;
const env = (depth) => ({
  ...SYSTEM,
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'bench-keystone',
  OCF_RESOURCE_TYPE: 'keystone',
  OCF_RESKEY_CRM_meta_interval: '20000',
  OCF_RESKEY_CRM_meta_timeout: '60000',
  OCF_RESKEY_config: conf,
  OCF_RESKEY_bind_address: '127.0.0.1',
  OCF_RESKEY_port: String(PORT),
  OCF_RESKEY_log_file: join(root, 'log', 'keystone.log'),
  OCF_RESKEY_extra_args: '--processes 2 --threads 4',
  OCF_RESKEY_credentials: credentials,
  OCF_CHECK_LEVEL: String(depth),
});
const agent = (action, depth = 0) => execFileSync(AGENT, [action], {env: env(depth), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});

try {
  for (const dir of ['fernet-keys', 'credential-keys']) mkdirSync(join(root, dir));
  writeFileSync(conf, `[database]\nconnection = sqlite:///${root}/keystone.db\n[fernet_tokens]\nkey_repository = ${root}/fernet-keys\n[fernet_receipts]\nkey_repository = ${root}/fernet-keys\n[credential]\nkey_repository = ${root}/credential-keys\n`);
  execFileSync('chown', ['-R', 'keystone:keystone', root]);
  const manage = (args, extra = {}) =>
    execFileSync('runuser', ['-u', 'keystone', '--', '/usr/bin/keystone-manage', '--config-file', conf, ...args], {env: {...SYSTEM, ...extra}, stdio: 'ignore'});
  manage(['db_sync']);
  manage(['fernet_setup', '--keystone-user', 'keystone', '--keystone-group', 'keystone']);
  manage(['credential_setup', '--keystone-user', 'keystone', '--keystone-group', 'keystone']);
  manage(['bootstrap', '--bootstrap-public-url', `http://127.0.0.1:${PORT}/v3/`], {OS_BOOTSTRAP_PASSWORD: password});
  writeFileSync(credentials, `auth_url=http://127.0.0.1:${PORT}/v3\nusername=admin\npassword=${password}\nproject_name=admin\n`, {mode: 0o600});
  agent('start');
  agent('monitor', 20); // mints the token the depth-20 rows reuse

  const version = execFileSync('/usr/lib/hacloud/hacloud', ['version'], {encoding: 'utf8'}).trim();
  console.log(`keystone monitor: installed hacloud (${version}) on Debian's keystone under uWSGI (${root}, 127.0.0.1:${PORT})`);
  console.log('- depth 0: pidfile + /proc start time, TCP connect; 10: + GET /v3 (status, JSON version.status); 20: + cached token, GET /v3/auth/projects');
  const commands = {
    'node -e 0': {argv: [process.execPath, '-e', '0'], env: SYSTEM},
    'hacloud version (its start-up)': {argv: ['/usr/lib/hacloud/hacloud', 'version'], env: SYSTEM},
    ...Object.fromEntries([0, 10, 20].map((depth) => [`hacloud keystone monitor, depth ${depth}`, {argv: [AGENT, 'monitor'], env: env(depth)}])),
  };
  report('keystone monitor', measure(commands), 'node -e 0', {width: 34});
} finally {
  try {
    agent('stop');
  } catch (error) {
    console.error(`stop: ${error.stderr ?? error.message}`);
  }
  rmSync(root, {recursive: true, force: true});
  rmSync('/run/resource-agents/hacloud/bench-keystone', {recursive: true, force: true});
}
