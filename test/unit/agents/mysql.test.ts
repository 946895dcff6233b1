import {mysql} from '../../../agents/mysql';
import {summariseErrors} from '../../../agents/mysql/error-log';
import {pingVerdict} from '../../../agents/mysql/monitor';
import {installDbArgs, serverArgs, serverPaths} from '../../../agents/mysql/server-args';
import {parseParameters} from '../../../lib/ocf/parameters';
import {findAccountLine} from '../../../lib/sys/accounts';
import {runAction} from '../../helpers/run-dispatch';

const env = (params: Record<string, string>) => Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v]));
const validate = (params: Record<string, string>) => runAction(mysql, 'validate-all', {OCF_CHECK_LEVEL: '0', ...env(params)});

describe('mysql server argv', () => {
  test('defaults: --defaults-file first, every path explicit, no shell', () => {
    const {values} = parseParameters(mysql.parameters, {});
    expect(serverArgs(serverPaths(values))).toEqual([
      '--defaults-file=/etc/mysql/my.cnf',
      '--datadir=/var/lib/mysql',
      '--socket=/run/mysqld/mysqld.sock',
      '--pid-file=/run/mysqld/mysqld.pid',
      '--log-error=/var/log/mysql/error.log',
      '--user=mysql',
      '--port=3306',
    ]);
  });

  test('bind address, port and additional parameters, split on whitespace only', () => {
    const {values} = parseParameters(
      mysql.parameters,
      env({
        bind_address: '198.51.100.10',
        port: '3307',
        additional_parameters: '  --innodb-buffer-pool-size=1G\t--skip-name-resolve  --init-connect=$(reboot);x ',
        credentials: '/etc/hacloud/mysql.cnf',
      }),
    );
    const args = serverArgs(serverPaths(values));
    expect(args.slice(6)).toEqual([
      '--bind-address=198.51.100.10',
      '--port=3307',
      '--innodb-buffer-pool-size=1G',
      '--skip-name-resolve',
      '--init-connect=$(reboot);x',
    ]);
    // The credentials never reach the server's command line, not even the file name.
    expect(args.join(' ')).not.toContain('/etc/hacloud/mysql.cnf');
  });

  test('install-db: root by unix socket only, no password option', () => {
    const args = installDbArgs({config: '/etc/mysql/my.cnf', datadir: '/srv/db', user: 'mysql'});
    expect(args).toEqual([
      '--defaults-file=/etc/mysql/my.cnf',
      '--datadir=/srv/db',
      '--user=mysql',
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ]);
    expect(args.join(' ')).not.toMatch(/password/);
  });
});

describe('mysql parameter syntax', () => {
  test.each([
    [{}],
    [{binary: '/usr/sbin/mysqld', bind_address: '2001:db8::10', port: '33306', test_table: 'app.t1', heartbeat_table: 'ha$.beat_1'}],
    [{bind_address: '198.51.100.10,127.0.0.1', additional_parameters: '--skip-name-resolve --loose-innodb-foo=1'}],
    [{bind_address: '*', credentials: '/etc/hacloud/mysql.cnf', user: 'mysql', group: 'mysql'}],
  ])('%j is valid', async (params) => {
    const out = await validate(params);
    expect([out.code, out.reason]).toEqual([0, undefined]);
  });

  test.each([
    [{binary: '/usr/bin/mysqld_safe'}, 'binary=/usr/bin/mysqld_safe is a wrapper script; give the server itself (/usr/sbin/mariadbd or mysqld): the agent runs it directly'],
    [{user: '-oProxy'}, 'user=-oProxy is not a user or group name'],
    [{group: 'my sql'}, 'group=my sql is not a user or group name'],
    [{port: '70000'}, 'parameter port="70000": must be at most 65535'],
    [{bind_address: 'db.example.org'}, 'bind_address=db.example.org: db.example.org is not an IP address or *'],
    [{additional_parameters: '--skip-grant-tables --datadir=/tmp'}, 'additional_parameters: --datadir is set by the agent; use its parameter instead'],
    [{additional_parameters: '--loose-pid_file=/x'}, 'additional_parameters: --loose-pid_file is set by the agent; use its parameter instead'],
    [{additional_parameters: '--defaults-extra-file=/x'}, 'additional_parameters: --defaults-extra-file is set by the agent; use its parameter instead'],
    [{additional_parameters: 'rm -rf'}, 'additional_parameters: rm is not a --option; additional_parameters: -rf is not a --option'],
    [{test_table: 'user'}, 'test_table=user is not database.table (letters, digits, _ and $)'],
    [{heartbeat_table: 'a.b`; DROP TABLE x'}, 'heartbeat_table=a.b`; DROP TABLE x is not database.table (letters, digits, _ and $)'],
    [{socket: `/var/tmp/${'s'.repeat(100)}.sock`}, `socket=/var/tmp/${'s'.repeat(100)}.sock is longer than 107 bytes, the limit of a unix socket path`],
    [{datadir: 'var/lib/mysql'}, 'parameter datadir="var/lib/mysql": must be an absolute path'],
    [{enable_creation: 'maybe'}, 'parameter enable_creation="maybe": is not a boolean (true/false, yes/no, 1/0, on/off)'],
  ])('%j is a configuration error: %s', async (params, reason) => {
    const out = await validate(params);
    expect([out.code, out.reason]).toEqual([6, reason]);
  });

  test('a bad value makes stop succeed and a probe report not running', async () => {
    const bad = env({binary: '/usr/bin/mysqld_safe'});
    expect((await runAction(mysql, 'stop', bad)).code).toBe(0);
    expect((await runAction(mysql, 'monitor', bad)).code).toBe(7);
  });

  test('meta-data declares start/stop 120 s and monitor rows at depths 0, 10 and 20', async () => {
    const {stdout} = await runAction(mysql, 'meta-data', {});
    expect(stdout).toContain('<action name="start" timeout="120s"/>');
    expect(stdout).toContain('<action name="stop" timeout="120s"/>');
    expect(stdout).toContain('<action name="monitor" timeout="30s" interval="20s" depth="0"/>');
    expect(stdout).toMatch(/<action name="monitor" timeout="30s" interval="\d+s" depth="10"\/>/);
    expect(stdout).toMatch(/<action name="monitor" timeout="30s" interval="\d+s" depth="20"\/>/);
    expect(stdout).not.toMatch(/name="(test_)?passw/);
  });
});

describe('pingVerdict', () => {
  const server = {pid: 4242, state: 'sleeping'};
  const socket = '/run/mysqld/mysqld.sock';
  test('a greeting is running; a refused log-in is still running, with a warning', () => {
    expect(pingVerdict({kind: 'ready', serverVersion: '10.11', threadId: 1, login: 'none'}, server, socket)).toEqual({code: 0});
    const refused = pingVerdict({kind: 'ready', serverVersion: '10.11', threadId: 1, login: 'refused', loginDetail: '1045: Access denied'}, server, socket);
    expect(refused.code).toBe(0);
    expect(refused.warning).toContain('1045: Access denied');
  });
  test('too many connections and a blocked host are alive; shutdown in progress is a failure', () => {
    const err = (code: number, message: string) => ({kind: 'refused' as const, error: {kind: 'error' as const, code, message}});
    expect(pingVerdict(err(1040, 'Too many connections'), server, socket)).toMatchObject({code: 0});
    expect(pingVerdict(err(1129, 'Host blocked'), server, socket)).toMatchObject({code: 0});
    expect(pingVerdict(err(1053, 'Server shutdown in progress'), server, socket)).toEqual({
      code: 1,
      reason: 'server (pid 4242) is failing: the server refuses connections: error 1053: Server shutdown in progress',
    });
  });
  test('silence or a dead socket under a live process is a failure naming both', () => {
    expect(pingVerdict({kind: 'timeout', reason: `no greeting on ${socket} within 500 ms`}, {pid: 7, state: 'stopped (SIGSTOP)'}, socket)).toEqual({
      code: 1,
      reason: `server process 7 (stopped (SIGSTOP)) does not answer on ${socket}: no greeting on ${socket} within 500 ms`,
    });
  });
});

describe('helpers', () => {
  test('summariseErrors keeps the [ERROR] lines without timestamps', () => {
    const log = [
      '2026-12-02  4:03:13 0 [Note] Starting MariaDB',
      "2026-12-02  4:03:13 0 [ERROR] InnoDB: Unable to lock ./ibdata1 error: 11",
      '2026-12-02  4:03:13 0 [Note] InnoDB: retrying',
      '2026-12-02  4:03:14 0 [ERROR] Aborting',
    ].join('\n');
    expect(summariseErrors(log)).toBe('[ERROR] InnoDB: Unable to lock ./ibdata1 error: 11 | [ERROR] Aborting');
    expect(summariseErrors('2026-12-02  4:03:13 0 [Note] a\nplain line\n')).toBe('[Note] a | plain line');
  });
  test('findAccountLine reads passwd and group lines', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\nmysql:x:107:113:MariaDB Server,,,:/nonexistent:/bin/false\n';
    expect(findAccountLine(passwd, 'mysql')).toEqual({name: 'mysql', id: 107, gid: 113});
    expect(findAccountLine(passwd, 'mysq')).toBeUndefined();
    expect(findAccountLine('mysql:x:113:\n', 'mysql')).toEqual({name: 'mysql', id: 113});
  });
});
