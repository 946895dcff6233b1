// The shape of one row of the service table (presets.ts): everything the
// engine needs to run and check one OpenStack service the way Debian runs it.

// How a daemon is started.
export type Command =
  // uWSGI with the service's ini (Debian: uwsgi_python311 --http-socket :PORT --ini INI).
  // Config files reach the application through `configEnv` or, when
  // `pyargv` is set, as --config-file options in uWSGI's --pyargv.
  | {kind: 'uwsgi'; ini: string; pyargv?: boolean}
  // A plain Python daemon: BINARY --config-file=C1 --config-file=C2 ...
  | {kind: 'daemon'; binary: string}
  // apache2 in the foreground through apache2ctl (reads /etc/apache2/envvars).
  | {kind: 'apache'; binary: string};

// One process the service consists of (neutron-server is two: neutron-api and neutron-rpc-server).
export interface DaemonSpec {
  // Names its pidfile and its log lines.
  id: string;
  command: Command;
  // An RPC daemon: its tree must hold an ESTABLISHED connection to the AMQP broker.
  rpc: boolean;
}

// A condition on the JSON body of the health response: the value at `path`
// (dot-separated, numeric parts index arrays) equals `equals`, or is a
// non-empty array or object when `nonEmpty`.
export interface JsonPredicate {
  path: string;
  equals?: string | number | boolean;
  nonEmpty?: boolean;
}

// The unauthenticated check of monitor depth 10.
export interface HealthCheck {
  path: string;
  status: readonly number[];
  json?: JsonPredicate;
  // oslo.middleware's disable_by_file: 503 "DISABLED BY FILE" means draining.
  drainFile?: string;
}

export interface Preset {
  // The agent name (ocf:hacloud:<name>).
  name: string;
  // One line for meta-data.
  title: string;
  // The OpenStack project (log directory /var/log/<project>).
  project: string;
  daemons: readonly DaemonSpec[];
  configs: readonly string[];
  // Environment variables naming the configuration (for WSGI entry points
  // that ignore argv): the directory of the first file, and the files.
  configEnv?: {dir?: string; files?: string};
  user: string;
  group: string;
  // API services: the listening port; RPC-only services have none.
  port?: number;
  health?: HealthCheck;
  // Path of the authenticated GET of monitor depth 20 ({project_id} is
  // replaced by the token's project).
  deepPath?: string;
  // Debian's systemd units for the service (validate-all warns when enabled).
  units: readonly string[];
}
