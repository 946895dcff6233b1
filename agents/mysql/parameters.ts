import type {ActionContext, ParameterValues} from '../../lib/ocf';

export const parameters = {
  binary: {
    type: 'path',
    default: '/usr/sbin/mariadbd',
    shortdesc: 'Server binary',
    longdesc:
      'The server program, run directly (not through mysqld_safe, whose restarts would fight the cluster): /usr/sbin/mariadbd, or mysqld for MySQL or older MariaDB.',
  },
  config: {
    type: 'path',
    default: '/etc/mysql/my.cnf',
    shortdesc: 'Server configuration file',
    longdesc: 'Passed as --defaults-file. The options below override what it says about paths, user, address and port.',
  },
  datadir: {
    type: 'path',
    default: '/var/lib/mysql',
    unique: true,
    shortdesc: 'Data directory',
    longdesc:
      'The data directory, usually on the DRBD filesystem. Start refuses (not installed, 5) when it is missing or holds no mysql/ system database (the filesystem is not mounted), and refuses (4) when it does not belong to user.',
  },
  socket: {
    type: 'path',
    default: '/run/mysqld/mysqld.sock',
    unique: true,
    shortdesc: 'Unix socket',
    longdesc: 'The server socket (--socket). Monitor and stop talk to the server through it. Its directory is created (owned by user:group) when missing.',
  },
  pid: {
    type: 'path',
    default: '/run/mysqld/mysqld.pid',
    unique: true,
    shortdesc: 'Server pid file',
    longdesc: 'The pid file the server writes (--pid-file). Its directory is created (owned by user:group) when missing.',
  },
  user: {
    type: 'string',
    default: 'mysql',
    shortdesc: 'Server user',
    longdesc: 'The server runs as this user (--user; started as root, it drops privileges). The data directory must belong to it.',
  },
  group: {
    type: 'string',
    default: 'mysql',
    shortdesc: 'Server group',
    longdesc: 'Group of the runtime and log directories the agent creates.',
  },
  log: {
    type: 'path',
    default: '/var/log/mysql/error.log',
    shortdesc: 'Error log',
    longdesc:
      "The server's error log (--log-error); the server's own output is appended to it too. Its directory is created when missing (Debian's package does not create /var/log/mysql). A failed start quotes its last errors as the exit reason.",
  },
  bind_address: {
    type: 'string',
    shortdesc: 'Listen address',
    longdesc: 'Address the server listens on (--bind-address): the virtual IP, or a comma-separated list of addresses, or *. Empty: what config says.',
  },
  port: {
    type: 'integer',
    default: 3306,
    min: 1,
    max: 65535,
    shortdesc: 'TCP port',
    longdesc: 'TCP port (--port).',
  },
  additional_parameters: {
    type: 'string',
    shortdesc: 'Extra server options',
    longdesc:
      'Further --options for the server, separated by spaces, passed as they are (never through a shell; no quoting). Options this agent sets itself (datadir, socket, pid-file, log-error, user, bind-address, port, defaults files) are refused here: use their parameters.',
  },
  credentials: {
    type: 'path',
    shortdesc: 'Credentials file',
    longdesc:
      'A my.cnf-style file owned by root with mode 0600 or 0400, holding user= and password= in a [client], [mysql] or [mariadb-client] group (socket= there is ignored: the agent talks to socket). Needed for monitor depth 10 and 20; stop uses it to send SHUTDOWN, and the depth-0 ping to log in and out cleanly (otherwise the server logs an aborted connection per ping). A file readable by group or others is refused (4); a missing one is 2. The password never appears in arguments, logs or the CIB. The user needs: SELECT on test_table (depth 10); SELECT, INSERT, DELETE and CREATE on the database of heartbeat_table (depth 20); SHUTDOWN (stop).',
  },
  test_table: {
    type: 'string',
    default: 'mysql.innodb_table_stats',
    shortdesc: 'Table read at depth 10',
    longdesc:
      'database.table read by the depth-10 monitor (SELECT 1 FROM it LIMIT 1). The default is an InnoDB table every MariaDB and MySQL has and that holds nothing secret (table statistics), unlike mysql.user: GRANT SELECT ON mysql.innodb_table_stats TO the monitor user.',
  },
  heartbeat_table: {
    type: 'string',
    default: 'hacloud.heartbeat',
    shortdesc: 'Table written at depth 20',
    longdesc:
      'database.table the depth-20 monitor writes a row to (REPLACE: node name, time, agent pid). The database and table (InnoDB) are created when missing.',
  },
  enable_creation: {
    type: 'boolean',
    default: false,
    shortdesc: 'Initialise an empty data directory',
    longdesc:
      'When the data directory is empty (lost+found aside), initialise it at start with install_db_binary as user, root authenticated by unix socket only. A directory holding other files but no mysql/ database is never initialised over.',
  },
  install_db_binary: {
    type: 'path',
    default: '/usr/bin/mariadb-install-db',
    shortdesc: 'Database initialiser',
    longdesc: 'mariadb-install-db, or mysql_install_db (used when the default is missing), for enable_creation.',
  },
} as const;

export type Params = ParameterValues<typeof parameters>;
export type Ctx = ActionContext<typeof parameters>;
