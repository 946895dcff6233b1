import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {runInstalledAgent, type AgentRun} from './installed-agent';

// A throw-away RabbitMQ node layout under /var/tmp/hct-rmq-*: its own node
// name, data and log directories, cookie file and 127.0.0.1 ports, never the
// system's (rabbit@<host>, 5672, /var/lib/rabbitmq).
export interface RabbitLayout {
  root: string;
  nodename: string;
  port: number;
  cookieFile: string;
  params: Record<string, string>;
}

export const RABBITMQCTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

export function rabbitIds(): {uid: number; gid: number} {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('rabbitmq:'));
  if (!line) throw new Error('no rabbitmq user: install rabbitmq-server');
  const [, , uid, gid] = line.split(':');
  return {uid: Number(uid), gid: Number(gid)};
}

// `cookie` shared by the nodes of one cluster test.
export function createRabbitLayout(prefix: string, nodename: string, port: number, cookie = randomBytes(12).toString('hex').toUpperCase()): RabbitLayout {
  const root = mkdtempSync(`/var/tmp/hct-rmq-${prefix}-`);
  chmodSync(root, 0o755);
  const data = join(root, 'data');
  mkdirSync(data);
  const {uid, gid} = rabbitIds();
  chownSync(data, uid, gid);
  const cookieFile = join(root, 'cookie');
  writeFileSync(cookieFile, cookie, {mode: 0o600});
  return {
    root,
    nodename,
    port,
    cookieFile,
    params: {
      nodename,
      data_dir: data,
      log_dir: join(root, 'log'),
      cookie_file: cookieFile,
      config_file: join(root, 'rabbitmq.conf'),
      enabled_plugins_file: join(root, 'enabled_plugins'),
      env_file: join(root, 'rabbitmq-env.conf'),
      ip: '127.0.0.1',
      port: String(port),
      // RabbitMQ's default (port + 20000) lies in the kernel's ephemeral
      // range, where an outgoing connection's local port can take it first.
      dist_port: String(port + 1000),
    },
  };
}

// Every process that carries the node's name in its environment (the VM,
// its port programs, an epmd it started), with its command name.
export function nodeProcesses(nodename: string): {pid: number; comm: string}[] {
  const found: {pid: number; comm: string}[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!environ.split('\0').includes(`RABBITMQ_NODENAME=${nodename}`)) continue;
      if (/\) Z /.test(stat)) continue;
      found.push({pid: Number(entry), comm: readFileSync(`/proc/${entry}/comm`, 'utf8').trim()});
    } catch {
      // gone, or a kernel thread
    }
  }
  return found;
}

// Stops the node through the agent, then kills whatever is left and removes the layout.
export async function destroyRabbitLayout(layout: RabbitLayout, instance: string, extra: Record<string, string> = {}): Promise<void> {
  await runInstalledAgent('rabbitmq', 'stop', {instance, params: {...layout.params, ...extra}, timeoutMs: 60_000}).catch(() => undefined);
  for (const p of nodeProcesses(layout.nodename)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(layout.root, {recursive: true, force: true});
  rmSync(`/run/resource-agents/hacloud/${instance}`, {recursive: true, force: true});
  rmSync(`/run/resource-agents/hacloud/${instance}.home`, {recursive: true, force: true});
}

// rabbitmqctl against a layout's node, with a HOME holding its cookie (as root).
export async function ctl(layout: RabbitLayout, args: string[], input?: string) {
  const home = join(layout.root, 'ctl-home');
  mkdirSync(home, {recursive: true, mode: 0o700});
  writeFileSync(join(home, '.erlang.cookie'), readFileSync(layout.cookieFile), {mode: 0o400, flag: 'w'});
  return execa(RABBITMQCTL, ['-n', layout.nodename, ...args], {
    env: {HOME: home, LC_ALL: 'C', RABBITMQ_CONF_ENV_FILE: layout.params.env_file as string},
    extendEnv: true,
    reject: false,
    ...(input === undefined ? {stdin: 'ignore' as const} : {input}),
    timeout: 60_000,
  });
}

// A user with a password written to a root-only file (the password goes to
// rabbitmqctl on stdin, never on a command line); tagged monitoring, full
// permissions on /.
export async function createCheckUser(layout: RabbitLayout, user: string, password: string): Promise<string> {
  const added = await ctl(layout, ['add_user', user], `${password}\n`);
  if (added.exitCode !== 0) throw new Error(`add_user: ${added.stderr}`);
  await ctl(layout, ['set_permissions', '-p', '/', user, '.*', '.*', '.*']);
  await ctl(layout, ['set_user_tags', user, 'monitoring']);
  const file = join(layout.root, 'check-password');
  writeFileSync(file, `${password}\n`, {mode: 0o600});
  return file;
}

export const rabbitAgent = (
  layout: RabbitLayout,
  instance: string,
  action: string,
  {params = {}, env = {}, timeoutMs = 60_000}: {params?: Record<string, string>; env?: Record<string, string>; timeoutMs?: number} = {},
): Promise<AgentRun> => runInstalledAgent('rabbitmq', action, {instance, timeoutMs, params: {...layout.params, ...params}, env});
