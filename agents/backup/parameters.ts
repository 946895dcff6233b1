import type {ActionContext, ParameterValues} from '../../lib/ocf';

export const parameters = {
  backup_dir: {
    type: 'path',
    required: true,
    unique: true,
    shortdesc: 'Backup directory',
    longdesc:
      'Where the sets are kept, one directory each (<time>-full, <time>-diff), plus status.json. Put it off the DRBD device: another disk, or a mounted remote filesystem that both nodes see, so sets outlive the data disk and follow a failover. It must exist (not installed, 5, when it does not: is its filesystem mounted?) and be writable by root (4).',
  },
  credentials: {
    type: 'path',
    required: true,
    shortdesc: 'Credentials file',
    longdesc:
      'A my.cnf-style file owned by root with mode 0600 or 0400, holding user= and password= in a [client] group; given to mariabackup only as --defaults-extra-file, never as arguments. The account needs RELOAD, PROCESS, LOCK TABLES and BINLOG MONITOR. A file others may read is refused (4), a missing one is 2, refused credentials are 2.',
  },
  full_interval: {
    type: 'duration',
    default: '24h',
    shortdesc: 'Time between full backups',
    longdesc: 'A full set is taken when the newest good full set started this long ago, and at once when there is none. Units s, m, h, d (e.g. 24h, 7d).',
  },
  differential_interval: {
    type: 'duration',
    default: '1h',
    shortdesc: 'Time between differential backups',
    longdesc: 'A differential set (against the newest full set, so a restore needs at most two sets) is taken when the newest set of either type started this long ago.',
  },
  keep_full: {
    type: 'integer',
    default: 2,
    min: 1,
    shortdesc: 'Full sets kept',
    longdesc: 'After each successful backup, full sets beyond the newest keep_full are removed with their differentials.',
  },
  keep_differential: {
    type: 'integer',
    default: 48,
    min: 0,
    shortdesc: 'Differential sets kept per full set',
    longdesc: 'Of the differentials of each kept full set, the newest keep_differential are kept.',
  },
  compression: {
    type: 'enum',
    values: ['none', 'gzip'],
    default: 'none',
    shortdesc: 'Compression of the sets',
    longdesc: 'gzip: after verification the set is stored as data/backup.tar.gz (xtrabackup_checkpoints stays beside it for the next differential); restore and verify extract it. none: mariabackup\'s files as they are.',
  },
  socket: {
    type: 'path',
    default: '/run/mysqld/mysqld.sock',
    shortdesc: 'Server socket',
    longdesc: 'The socket of the MariaDB server to back up (the mysql resource\'s socket).',
  },
  datadir: {
    type: 'path',
    default: '/var/lib/mysql',
    shortdesc: 'Server data directory',
    longdesc: 'The data directory of the server (the mysql resource\'s datadir), read by mariabackup.',
  },
  binary: {
    type: 'string',
    default: 'mariabackup',
    shortdesc: 'mariabackup program',
    longdesc: 'mariabackup (Debian package mariadb-backup), by name on PATH or as a full path. Missing: not installed (5).',
  },
  overdue_grace: {
    type: 'duration',
    default: '30m',
    shortdesc: 'Grace before a backup is overdue',
    longdesc: 'Monitor depth 10 fails when no full set started within full_interval + overdue_grace, or no set within differential_interval + overdue_grace (counted from the later of the set and the start of the resource on this node).',
  },
  backup_timeout: {
    type: 'duration',
    default: '6h',
    shortdesc: 'Longest backup',
    longdesc: 'A backup (with its verification) running longer is ended and recorded as failed.',
  },
} as const;

export type Params = ParameterValues<typeof parameters>;
export type Ctx = ActionContext<typeof parameters>;
