import {join} from 'node:path';
import {safeInstanceName} from '../../lib/ocf/state-dir';
import type {Params} from './parameters';

export interface ServerPaths {
  // The agent's record of the beam process it started (pid and start time).
  pidfile: string;
  // HOME of the node and of rabbitmqctl: holds .erlang.cookie only.
  home: string;
  // The server's stdout and stderr.
  startupLog: string;
  // The node log RabbitMQ writes.
  nodeLog: string;
  // The pid file RabbitMQ writes itself (found when the agent's record is lost).
  serverPidfile: string;
  // When the last rabbitmqctl partition check ran (cluster mode).
  clusterCheckStamp: string;
}

// Every path of one instance. Computed, not created: a probe must not need /run writable.
export function serverPaths(params: Params, stateRoot: string, instance: string): ServerPaths {
  const state = join(stateRoot, 'hacloud', safeInstanceName(instance));
  return {
    pidfile: join(state, 'beam.pid'),
    home: `${state}.home`,
    startupLog: join(params.log_dir, `${params.nodename}-startup.log`),
    nodeLog: join(params.log_dir, `${params.nodename}.log`),
    serverPidfile: join(params.data_dir, `${params.nodename}.pid`),
    clusterCheckStamp: join(state, 'cluster-check'),
  };
}

// Where monitor connects: the listener address, or loopback for a wildcard.
export function connectAddress(ip: string): string {
  if (ip === '0.0.0.0' || ip === '') return '127.0.0.1';
  if (ip === '::' || ip === '[::]') return '::1';
  return ip;
}

export const distPort = (params: Params): number => params.dist_port ?? params.port + 20000;

// Variables of rabbitmq-env that say which node this is and where it keeps
// its files; shared by the server and rabbitmqctl.
export function nodeEnvironment(params: Params, paths: ServerPaths): Record<string, string> {
  return {
    HOME: paths.home,
    RABBITMQ_NODENAME: params.nodename,
    RABBITMQ_MNESIA_BASE: params.data_dir,
    RABBITMQ_LOG_BASE: params.log_dir,
    RABBITMQ_CONFIG_FILE: params.config_file,
    RABBITMQ_ENABLED_PLUGINS_FILE: params.enabled_plugins_file,
    RABBITMQ_CONF_ENV_FILE: params.env_file,
    RABBITMQ_NODE_IP_ADDRESS: params.ip,
    RABBITMQ_NODE_PORT: String(params.port),
    RABBITMQ_DIST_PORT: String(distPort(params)),
  };
}

// The server's whole environment: no Pacemaker variables, a usable PATH,
// LC_ALL=C, and RUNNING_UNDER_SYSTEMD so rabbitmq-server execs the VM
// instead of staying as a shell parent that traps signals (the process the
// agent records is then beam.smp itself, and SIGTERM reaches it directly).
export function serverEnvironment(params: Params, paths: ServerPaths, inherited: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(inherited)) {
    if (!/^(OCF_|HA_|PCMK_|RABBITMQ_|ERL_)/.test(key) && key !== 'HOME' && key !== 'NOTIFY_SOCKET') env[key] = value;
  }
  env.PATH ??= '/usr/sbin:/usr/bin:/sbin:/bin';
  return {...env, ...nodeEnvironment(params, paths), RUNNING_UNDER_SYSTEMD: 'true', LC_ALL: 'C'};
}
