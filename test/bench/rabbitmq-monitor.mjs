// Benchmark: the installed rabbitmq monitor at depths 0 and 10 against
// ocf:heartbeat:rabbitmq-cluster's monitor on the same running node, in the
// same run, interleaved; one `rabbitmqctl eval` (rabbitmq-cluster runs two
// per monitor) and `hacloud version` (the floor of any call of the binary)
// as reference rows. The node (hctbench@localhost, 127.0.0.1:25702, data
// under /var/tmp/hct-rmq-bench-*) is started by our agent with the system
// cookie, because rabbitmq-cluster's rabbitmqctl (Debian's wrapper) reads
// /var/lib/rabbitmq/.erlang.cookie. Without a running Pacemaker its
// crm_attribute/cibadmin calls fail quickly; its rabbitmqctl calls succeed
// (monitor 0). A second table measures the cluster-mode partition check
// sources on the same node: the management API (the plugin is enabled on
// 127.0.0.1:25712 for this) against rabbitmqctl cluster_status at every
// monitor, and the default (rabbitmqctl at most every 120 s, so a monitor in
// between does not run it). Cluster-mode monitors also publish their node
// attribute with attrd_updater, which fails fast here (no Pacemaker).
// Needs root. Prints medians and ratios; not a test.
import {execFileSync} from 'node:child_process';
import {chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {measure, report} from './measure.mjs';

if (process.getuid?.() !== 0) throw new Error('rabbitmq-monitor bench: needs root');

const THEIRS = 'rabbitmq-cluster monitor';
const OURS_0 = 'hacloud rabbitmq monitor 0';
const OURS_10 = 'hacloud rabbitmq monitor 10';
const NODE = 'hctbench@localhost';
const PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const AGENT = '/usr/lib/ocf/resource.d/hacloud/rabbitmq';

const work = mkdtempSync('/var/tmp/hct-rmq-bench-');
chmodSync(work, 0o755);
const data = join(work, 'data');
mkdirSync(data);
const [, , uid, gid] = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('rabbitmq:')).split(':');
chownSync(data, Number(uid), Number(gid));
const password = `bench-${process.pid}-${Date.now()}`;
const passwordFile = join(work, 'check-password');
writeFileSync(passwordFile, `${password}\n`, {mode: 0o600});

writeFileSync(join(work, 'enabled_plugins'), '[rabbitmq_management].\n');
writeFileSync(join(work, 'rabbitmq.conf'), 'management.tcp.port = 25712\nmanagement.tcp.ip = 127.0.0.1\n');

const ours = (depth, extra = {}) => ({
  PATH,
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'bench-rabbitmq',
  OCF_RESKEY_nodename: NODE,
  OCF_RESKEY_data_dir: data,
  OCF_RESKEY_log_dir: join(work, 'log'),
  OCF_RESKEY_cookie_file: '/var/lib/rabbitmq/.erlang.cookie',
  OCF_RESKEY_config_file: join(work, 'rabbitmq.conf'),
  OCF_RESKEY_enabled_plugins_file: join(work, 'enabled_plugins'),
  OCF_RESKEY_env_file: join(work, 'rabbitmq-env.conf'),
  OCF_RESKEY_ip: '127.0.0.1',
  OCF_RESKEY_port: '25702',
  OCF_RESKEY_dist_port: '26702', // not port + 20000: that is in the ephemeral range
  OCF_RESKEY_check_user: 'hcbench',
  OCF_RESKEY_check_password_file: passwordFile,
  OCF_RESKEY_CRM_meta_interval: '10000',
  OCF_RESKEY_CRM_meta_timeout: '40000',
  OCF_CHECK_LEVEL: String(depth),
  ...extra,
});
const theirs = {
  PATH,
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'bench-rabbitmq-cluster',
  RABBITMQ_NODENAME: NODE,
  OCF_RESKEY_CRM_meta_interval: '10000',
  OCF_RESKEY_CRM_meta_timeout: '40000',
};
const run = (file, args, env, input) =>
  execFileSync(file, args, {env, input, encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'inherit']});

try {
  run(AGENT, ['start'], ours(0));
  run('/usr/sbin/rabbitmqctl', ['add_user', 'hcbench'], {PATH, RABBITMQ_NODENAME: NODE}, `${password}\n`);
  run('/usr/sbin/rabbitmqctl', ['set_permissions', '-p', '/', 'hcbench', '.*', '.*', '.*'], {PATH, RABBITMQ_NODENAME: NODE});
  run('/usr/sbin/rabbitmqctl', ['set_user_tags', 'hcbench', 'monitoring'], {PATH, RABBITMQ_NODENAME: NODE});
  const rows = report(
    'rabbitmq monitor vs rabbitmq-cluster monitor, same node (3.10.8)',
    measure({
      [THEIRS]: {argv: ['/usr/lib/ocf/resource.d/heartbeat/rabbitmq-cluster', 'monitor'], env: theirs},
      'rabbitmqctl eval (1 of its 2)': {argv: ['/usr/sbin/rabbitmqctl', 'eval', '-q', 'ok.'], env: {PATH, RABBITMQ_NODENAME: NODE}},
      [OURS_0]: {argv: [AGENT, 'monitor'], env: ours(0)},
      [OURS_10]: {argv: [AGENT, 'monitor'], env: ours(10)},
      'hacloud version (floor)': {argv: ['/usr/lib/hacloud/hacloud', 'version'], env: {}},
    }),
    THEIRS,
    {width: 32},
  );
  for (const name of [OURS_0, OURS_10]) {
    console.log(
      `${name}: cpu ${(rows[name].cpu / rows[THEIRS].cpu).toFixed(3)}×, wall ${(rows[name].wall / rows[THEIRS].wall).toFixed(3)}× of rabbitmq-cluster (target cpu ≤ 0.1×)`,
    );
  }
  const CLUSTER_API = 'cluster mode, management API';
  const CLUSTER_CTL = 'cluster mode, rabbitmqctl each';
  const CLUSTER_DUE = 'cluster mode, check not due';
  const cluster = report(
    'cluster-mode monitor (depth 0): partition check sources, same node',
    measure({
      [THEIRS]: {argv: ['/usr/lib/ocf/resource.d/heartbeat/rabbitmq-cluster', 'monitor'], env: theirs},
      [CLUSTER_API]: {argv: [AGENT, 'monitor'], env: ours(0, {OCF_RESKEY_mode: 'cluster', OCF_RESKEY_management_port: '25712'})},
      [CLUSTER_CTL]: {argv: [AGENT, 'monitor'], env: ours(0, {OCF_RESKEY_mode: 'cluster', OCF_RESKEY_cluster_check_interval: '0'})},
      [CLUSTER_DUE]: {argv: [AGENT, 'monitor'], env: ours(0, {OCF_RESKEY_mode: 'cluster', OCF_RESKEY_cluster_check_interval: '1h'})},
    }),
    THEIRS,
    {width: 32},
  );
  for (const name of [CLUSTER_API, CLUSTER_CTL, CLUSTER_DUE]) {
    console.log(`${name}: cpu ${(cluster[name].cpu / cluster[THEIRS].cpu).toFixed(3)}× of rabbitmq-cluster`);
  }
} finally {
  try {
    run(AGENT, ['stop'], ours(0));
  } catch {
    // reported by the agent on stderr
  }
  rmSync(work, {recursive: true, force: true});
  rmSync('/run/resource-agents/hacloud/bench-rabbitmq.home', {recursive: true, force: true});
  rmSync('/run/resource-agents/hacloud/bench-rabbitmq', {recursive: true, force: true});
}
