import type {ActionContext, ParameterValues} from '../../lib/ocf';

export const parameters = {
  mode: {
    type: 'enum',
    values: ['single', 'cluster'],
    default: 'single',
    shortdesc: 'single (active/passive) or cluster (anonymous clone)',
    longdesc:
      'single: one broker whose data directory moves with the virtual IP (a primitive in the group on the DRBD filesystem). ' +
      'cluster: an anonymous clone, one broker per node, the members forming one RabbitMQ cluster: a starting node joins the members Pacemaker reports running (node attribute rmq-node-<instance>), the first one up bootstraps; data is never reset on a restart.',
  },
  server: {
    type: 'path',
    default: '/usr/lib/rabbitmq/bin/rabbitmq-server',
    shortdesc: 'Server start script',
    longdesc:
      "RabbitMQ's own start script, run directly as user (not Debian's /usr/sbin wrapper, which goes through su and a shell command line). The agent sets RUNNING_UNDER_SYSTEMD so the script execs the Erlang VM: the process the agent starts is beam.smp itself.",
  },
  ctl: {
    type: 'path',
    default: '/usr/lib/rabbitmq/bin/rabbitmqctl',
    shortdesc: 'rabbitmqctl',
    longdesc: 'Used by start (cluster join, policy) and stop (stop_app) only, never by monitor: each call starts an Erlang VM (about 0.8 s of CPU).',
  },
  nodename: {
    type: 'string',
    default: 'rabbit@localhost',
    unique: true,
    shortdesc: 'Erlang node name',
    longdesc:
      'RABBITMQ_NODENAME. Fixed, so that the data (kept per node name under data_dir) is found again on the other controller in single mode; in cluster mode each node needs its own, e.g. rabbit@<hostname>, and a host part the other members resolve.',
  },
  data_dir: {
    type: 'path',
    default: '/var/lib/rabbitmq/mnesia',
    unique: true,
    shortdesc: 'Data directory (RABBITMQ_MNESIA_BASE)',
    longdesc:
      'Holds the node database, message stores and quorum logs (one subdirectory per node name). Must exist (it is usually on the DRBD filesystem: missing means not mounted, 5) and is never emptied by the agent.',
  },
  log_dir: {
    type: 'path',
    default: '/var/log/rabbitmq',
    shortdesc: 'Log directory (RABBITMQ_LOG_BASE)',
    longdesc: "The node log <nodename>.log and the server's own output (startup.log) go here; created (owned by user) when missing. A failed start quotes their last errors.",
  },
  config_file: {
    type: 'path',
    default: '/etc/rabbitmq/rabbitmq.conf',
    shortdesc: 'Configuration file (RABBITMQ_CONFIG_FILE)',
    longdesc: 'rabbitmq.conf; it need not exist. Listener address and port are set by this agent (ip, port) and override it.',
  },
  enabled_plugins_file: {
    type: 'path',
    default: '/etc/rabbitmq/enabled_plugins',
    shortdesc: 'Enabled plugins file',
    longdesc: 'RABBITMQ_ENABLED_PLUGINS_FILE; a missing file means no plugins.',
  },
  env_file: {
    type: 'path',
    default: '/etc/rabbitmq/rabbitmq-env.conf',
    shortdesc: 'rabbitmq-env.conf',
    longdesc: 'RABBITMQ_CONF_ENV_FILE. Settings made by this agent take precedence over the file.',
  },
  cookie_file: {
    type: 'path',
    default: '/var/lib/rabbitmq/.erlang.cookie',
    shortdesc: 'Erlang cookie file',
    longdesc:
      'The shared secret of the Erlang distribution, identical on every node (cluster mode) or controller (single mode). It must belong to root or user and be unreadable by group and others (4 otherwise); missing or empty is 2. ' +
      'The agent copies it to a private home directory (/run/resource-agents/hacloud/<instance>.home, owned by user, mode 0700) whose .erlang.cookie the node and rabbitmqctl read through HOME: the cookie never appears in a command line or the environment.',
  },
  user: {
    type: 'string',
    default: 'rabbitmq',
    shortdesc: 'Server user',
    longdesc: 'The node runs as this user and group (its primary group). data_dir must belong to it.',
  },
  ip: {
    type: 'string',
    default: '0.0.0.0',
    shortdesc: 'AMQP listener address',
    longdesc: 'RABBITMQ_NODE_IP_ADDRESS: the address the AMQP listener binds (the virtual IP in single mode, or 0.0.0.0/:: for all). Monitor connects to it (to 127.0.0.1 when it is 0.0.0.0, ::1 when ::).',
  },
  port: {
    type: 'integer',
    default: 5672,
    min: 1,
    max: 65535,
    shortdesc: 'AMQP port',
    longdesc: 'RABBITMQ_NODE_PORT.',
  },
  dist_port: {
    type: 'integer',
    min: 1,
    max: 65535,
    shortdesc: 'Erlang distribution port',
    longdesc: 'RABBITMQ_DIST_PORT, used by the other members and rabbitmqctl. Default: port + 20000, as RabbitMQ does.',
  },
  check_user: {
    type: 'string',
    shortdesc: 'User of the depth-10 check',
    longdesc:
      'Monitor depth 10 logs in as this user (AMQP PLAIN) on check_vhost, opens a channel and declares a server-named exclusive auto-delete queue. It needs configure permission on amq.gen.* in that vhost. In cluster mode with management_port, it also reads /api/nodes (tag monitoring).',
  },
  check_password_file: {
    type: 'path',
    shortdesc: 'Password file of check_user',
    longdesc:
      'A file owned by root, mode 0600 or 0400, whose first line is the password of check_user. A file others may read is refused (4), a missing one is 2. The password never appears in arguments, the environment of other processes, logs or exit reasons.',
  },
  check_vhost: {
    type: 'string',
    default: '/',
    shortdesc: 'Virtual host of the depth-10 check',
    longdesc: 'The vhost the depth-10 check opens.',
  },
  policy: {
    type: 'string',
    shortdesc: 'Policy set after bootstrap (cluster mode)',
    longdesc:
      'Arguments of rabbitmqctl set_policy, separated by spaces, the definition a JSON object without spaces, e.g. "ha-all ^(?!amq\\.).* {"ha-mode":"all"}" or "quorum ^ {"queue-mode":"default"} --apply-to queues". Set by the node that bootstraps the cluster (an existing policy of that name is replaced).',
  },
  management_port: {
    type: 'integer',
    min: 1,
    max: 65535,
    shortdesc: 'Management API port (cluster mode)',
    longdesc:
      'When the management plugin listens here (on ip, or 127.0.0.1 for a wildcard), every cluster-mode monitor reads membership and partitions from GET /api/nodes as check_user (tag monitoring needed): about 12 ms of CPU, no Erlang VM. ' +
      'Without it (or while the API fails), the partition check runs rabbitmqctl cluster_status, which starts an Erlang VM (about 0.9 s of CPU), only when the periodic check is due (cluster_check_interval).',
  },
  cluster_check_interval: {
    type: 'duration',
    default: '120s',
    shortdesc: 'Period of the rabbitmqctl partition check (cluster mode)',
    longdesc:
      'Cluster-mode monitors run the costly part of their check only when the last run is older than this: rabbitmqctl cluster_status (when management_port is not set) and the re-assertion of the member attribute (a fork of attrd_updater). Monitors in between check the broker (depth 0/10) and the management API only. ' +
      'A minority partition is therefore noticed within this period plus one monitor interval without the management API. 0: at every monitor.',
  },
} as const;

export type Params = ParameterValues<typeof parameters>;
export type Ctx = ActionContext<typeof parameters>;
