import type {ActionContext, ParameterValues} from '../../lib/ocf';
import type {Preset} from './preset';

const WILDCARD = '0.0.0.0';

// The parameter table of a preset's agent: the same names for every service,
// the defaults from the preset row.
export function parametersFor(preset: Preset) {
  const main = preset.daemons[0]?.command;
  const uwsgi = main?.kind === 'uwsgi';
  const rpc = preset.daemons.some((d) => d.rpc);
  return {
    binary: {
      type: 'path',
      default: main?.kind === 'uwsgi' ? '/usr/bin/uwsgi_python311' : (main?.binary ?? ''),
      shortdesc: 'Program to run',
      longdesc: uwsgi
        ? 'The uWSGI binary with the Python 3 plugin (Debian: uwsgi_python311 from uwsgi-plugin-python3), run with --ini wsgi_ini.'
        : `The daemon, run in the foreground in its own session as user.${preset.daemons.length > 1 ? ' Only the first daemon of the service; the others keep their Debian paths.' : ''}`,
    },
    wsgi_ini: {
      type: 'string',
      default: main?.kind === 'uwsgi' ? main.ini : '',
      shortdesc: 'uWSGI ini file',
      longdesc:
        "The service's uWSGI ini (uWSGI services only; empty otherwise). The listen address comes from bind_address and port, not from the ini. " +
        'When the ini loads the apparmor plugin and the kernel has no AppArmor (containers), see the apparmor parameter.',
    },
    apparmor: {
      type: 'enum',
      values: ['auto', 'keep', 'strip'],
      default: 'auto',
      shortdesc: 'AppArmor lines of the uWSGI ini',
      longdesc:
        "Debian's uWSGI ini files load `plugins = python3,apparmor` with `apparmor-profile`, and uWSGI dies at start where AppArmor is unavailable " +
        "(aa_change_profile(): Invalid argument). auto: when /sys/kernel/security/apparmor is absent, start runs uWSGI with a copy of the ini without those lines, written to the instance's state directory; keep: use the ini as it is; strip: always use the copy.",
    },
    config: {
      type: 'string',
      default: preset.configs.join(' '),
      shortdesc: 'Configuration files',
      longdesc: 'Space-separated absolute paths, passed as --config-file options (or through the environment variables the WSGI entry point reads). Start fails (5) when one is missing.',
    },
    user: {type: 'string', default: preset.user, shortdesc: 'Service user', longdesc: 'The service runs as this user (root for apache2, which drops privileges itself).'},
    group: {type: 'string', default: preset.group, shortdesc: 'Service group', longdesc: 'The primary group the service runs with.'},
    port: {
      type: 'integer',
      default: preset.port ?? 0,
      min: 0,
      max: 65535,
      shortdesc: 'Listening port',
      longdesc: preset.port ? 'The API port: uWSGI listens on bind_address:port; monitor connects to it.' : 'Unused: this service does not listen.',
    },
    bind_address: {
      type: 'string',
      default: WILDCARD,
      shortdesc: 'Listen address',
      longdesc: 'The address the API listens on, usually the VIP (uWSGI services; the others read it from their config). Monitor connects to it, to 127.0.0.1 for 0.0.0.0 and to ::1 for ::.',
    },
    extra_args: {
      type: 'string',
      default: '',
      shortdesc: 'Extra arguments',
      longdesc: 'Appended to the command line, split at white space (no shell: quotes are not interpreted).',
    },
    pidfile: {
      type: 'path',
      shortdesc: 'Pid file',
      longdesc: "The agent's record of the main process (pid and start time). Default: <id>.pid in the instance's state directory under /run/resource-agents/hacloud.",
    },
    log_file: {
      type: 'path',
      default: `/var/log/${preset.project}/${preset.daemons[0]?.id ?? preset.name}.log`,
      shortdesc: 'Output log',
      longdesc: "The service's standard output and error are appended here (its directory is created, owned by user). A failed start quotes its last lines.",
    },
    health_path: {
      type: 'string',
      default: preset.health?.path ?? '',
      shortdesc: 'Health check path',
      longdesc:
        'The unauthenticated GET of monitor depth 10. A 503 from an oslo.middleware /healthcheck disabled by file is reported as draining: the monitor succeeds and logs it (touch the disable file to drain a node before a failover' +
        (preset.health?.drainFile ? `; Debian's is ${preset.health.drainFile}).` : ').'),
    },
    credentials: {
      type: 'path',
      shortdesc: 'Keystone credentials file (depth 20)',
      longdesc:
        'A root-only file (mode 0600 or stricter) of key=value lines: auth_url, username, password, project_name, and optionally user_domain_name, project_domain_name (Default). ' +
        'Monitor depth 20 gets a Keystone v3 token with it (cached, mode 0600, in the state directory until it expires) and GETs deep_check_path, which must answer 2xx: unauthenticated checks pass while the API answers 500 when its database is gone. No password is ever on a command line, in the CIB or in a log.',
    },
    deep_check_path: {
      type: 'string',
      default: preset.deepPath ?? '',
      shortdesc: 'Authenticated check path (depth 20)',
      longdesc: "The authenticated GET of monitor depth 20; {project_id} is replaced by the token's project.",
    },
    amqp_host: {
      type: 'string',
      default: '',
      shortdesc: 'AMQP broker address',
      longdesc: rpc
        ? "The broker's address the RPC daemon must hold an ESTABLISHED TCP connection to (any process of its tree; IPv4 or IPv6). Default: the hosts of transport_url in config."
        : 'Unused: this service has no RPC daemon.',
    },
    amqp_port: {
      type: 'integer',
      default: 0,
      min: 0,
      max: 65535,
      shortdesc: 'AMQP broker port',
      longdesc: rpc ? 'Exact port of the broker connection. Default (0): the ports of transport_url in config, else 5672.' : 'Unused: this service has no RPC daemon.',
    },
  } as const;
}

export type OpenStackParameters = ReturnType<typeof parametersFor>;
export type Params = ParameterValues<OpenStackParameters>;
export type Ctx = ActionContext<OpenStackParameters>;

// The address monitor connects to for a listen address.
export function probeAddress(bind: string): string {
  if (bind === '' || bind === WILDCARD) return '127.0.0.1';
  if (bind === '::') return '::1';
  return bind;
}

// The configuration files of the parameter, in order.
export const configFiles = (params: Params): string[] => params.config.split(/\s+/).filter(Boolean);
