import {execa} from 'execa';
import {chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

// A throw-away MariaDB layout under /var/tmp/hct-mysql-*: its own datadir,
// socket, pid file, error log and a port on 127.0.0.1, never the system's.
export interface MariaDbLayout {
  root: string;
  datadir: string;
  socket: string;
  pid: string;
  log: string;
  port: number;
  params: Record<string, string>;
}

export const MARIADBD = '/usr/sbin/mariadbd';

export function mysqlIds(): {uid: number; gid: number} {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('mysql:'));
  if (!line) throw new Error('no mysql user: install mariadb-server');
  const [, , uid, gid] = line.split(':');
  return {uid: Number(uid), gid: Number(gid)};
}

// The layout with run/ and log/ not created (the agent must create them);
// the datadir exists, empty and owned by mysql.
export function createLayout(prefix: string, port: number): MariaDbLayout {
  const root = mkdtempSync(`/var/tmp/hct-mysql-${prefix}-`);
  chmodSync(root, 0o755); // mysql must traverse it
  const datadir = join(root, 'data');
  mkdirSync(datadir);
  const {uid, gid} = mysqlIds();
  chownSync(datadir, uid, gid);
  const layout = {
    root,
    datadir,
    socket: join(root, 'run', 'mysqld.sock'),
    pid: join(root, 'run', 'mysqld.pid'),
    log: join(root, 'log', 'error.log'),
    port,
  };
  return {
    ...layout,
    params: {
      datadir: layout.datadir,
      socket: layout.socket,
      pid: layout.pid,
      log: layout.log,
      bind_address: '127.0.0.1',
      port: String(port),
      // Small and quick: the tests' servers share a small machine.
      additional_parameters: '--innodb-buffer-pool-size=32M --skip-name-resolve',
    },
  };
}

// mariadb-install-db into the layout's datadir (root by unix socket only).
export async function initialiseDatadir(layout: MariaDbLayout): Promise<void> {
  await execa('mariadb-install-db', [
    `--datadir=${layout.datadir}`,
    '--user=mysql',
    '--auth-root-authentication-method=socket',
    '--skip-test-db',
  ]);
}

// SQL as root through the unix socket (unix_socket authentication, no password).
export async function sql(layout: MariaDbLayout, statement: string): Promise<string> {
  const {stdout} = await execa('mariadb', ['--no-defaults', '-S', layout.socket, '-u', 'root', '-N', '-B', '-e', statement]);
  return stdout;
}

// A monitor user whose password exists only in a root-only credentials file.
export async function createMonitorUser(layout: MariaDbLayout, user: string, password: string): Promise<string> {
  await sql(
    layout,
    [
      `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}'`,
      `GRANT SELECT ON mysql.innodb_table_stats TO '${user}'@'localhost'`,
      `GRANT SELECT, INSERT, DELETE, CREATE ON hacloud.* TO '${user}'@'localhost'`,
      `GRANT SHUTDOWN ON *.* TO '${user}'@'localhost'`,
    ].join('; '),
  );
  return writeCredentials(layout, 'credentials.cnf', `[client]\nuser = ${user}\npassword = "${password}"\n`, 0o600);
}

export function writeCredentials(layout: MariaDbLayout, name: string, text: string, mode: number): string {
  const path = join(layout.root, name);
  writeFileSync(path, text, {mode});
  chmodSync(path, mode);
  return path;
}

// Live processes (zombies aside) whose argv passes `test`.
export function processesWhere(test: (args: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (test(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'))) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

// Live mariadbd processes whose command line names this layout's datadir.
export const serverPids = (layout: MariaDbLayout): number[] => processesWhere((args) => args.includes(`--datadir=${layout.datadir}`));

// Last resort of a test's cleanup: KILL whatever runs on the layout, remove it.
export function destroyLayout(layout: MariaDbLayout | undefined): void {
  if (!layout) return;
  for (const pid of serverPids(layout)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(layout.root, {recursive: true, force: true});
}
