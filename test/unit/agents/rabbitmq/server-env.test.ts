import {chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseParameters} from '../../../../lib/ocf/parameters';
import {parameters} from '../../../../agents/rabbitmq/parameters';
import {readCookie, readPassword} from '../../../../agents/rabbitmq/secret-files';
import {connectAddress, distPort, nodeEnvironment, serverEnvironment, serverPaths} from '../../../../agents/rabbitmq/server-env';
import {summariseStartFailure} from '../../../../agents/rabbitmq/server-log';

const params = (env: Record<string, string> = {}) => parseParameters(parameters, Object.fromEntries(Object.entries(env).map(([k, v]) => [`OCF_RESKEY_${k}`, v]))).values;

describe('server environment', () => {
  test('paths of an instance: state under /run, logs and the pid file RabbitMQ writes under the parameters', () => {
    const paths = serverPaths(params({nodename: 'hct1@localhost', data_dir: '/d', log_dir: '/l'}), '/run/resource-agents', 'p_rabbit');
    expect(paths).toEqual({
      pidfile: '/run/resource-agents/hacloud/p_rabbit/beam.pid',
      home: '/run/resource-agents/hacloud/p_rabbit.home',
      startupLog: '/l/hct1@localhost-startup.log',
      nodeLog: '/l/hct1@localhost.log',
      serverPidfile: '/d/hct1@localhost.pid',
      clusterCheckStamp: '/run/resource-agents/hacloud/p_rabbit/cluster-check',
    });
  });

  test('RABBITMQ_* from the parameters; the distribution port defaults to port + 20000', () => {
    const p = params({port: '25672'});
    expect(distPort(p)).toBe(45672);
    expect(distPort(params({port: '25672', dist_port: '25680'}))).toBe(25680);
    const env = nodeEnvironment(p, serverPaths(p, '/run/resource-agents', 'r'));
    expect(env).toMatchObject({HOME: '/run/resource-agents/hacloud/r.home', RABBITMQ_NODENAME: 'rabbit@localhost', RABBITMQ_NODE_PORT: '25672', RABBITMQ_DIST_PORT: '45672'});
  });

  test("the server gets no Pacemaker or inherited RabbitMQ variables, and execs the VM", () => {
    const p = params();
    const env = serverEnvironment(p, serverPaths(p, '/run', 'r'), {OCF_RESKEY_x: '1', HA_debug: '1', RABBITMQ_NODENAME: 'other', ERL_FLAGS: '-x', HOME: '/root', PATH: '/bin', NOTIFY_SOCKET: '/s'});
    expect(env).toMatchObject({PATH: '/bin', RABBITMQ_NODENAME: 'rabbit@localhost', HOME: '/run/hacloud/r.home', RUNNING_UNDER_SYSTEMD: 'true', LC_ALL: 'C'});
    expect(Object.keys(env).filter((k) => /^(OCF_|HA_|ERL_)|NOTIFY_SOCKET/.test(k))).toEqual([]);
  });

  test('monitor connects to loopback for a wildcard listener', () => {
    expect(connectAddress('0.0.0.0')).toBe('127.0.0.1');
    expect(connectAddress('::')).toBe('::1');
    expect(connectAddress('198.51.100.7')).toBe('198.51.100.7');
  });
});

describe('secret files', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hct-rmq-secret-'));
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));
  const file = (name: string, text: string, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, text, {mode});
    chmodSync(path, mode);
    return path;
  };

  test('a cookie owned by root or the server user, unreadable by others', () => {
    expect(readCookie(file('c1', 'ABCDEF\n'), 106)).toBe('ABCDEF');
    const other = file('c2', 'ABCDEF', 0o400);
    if (process.geteuid?.() === 0) {
      chownSync(other, 106, 106);
      expect(readCookie(other, 106)).toBe('ABCDEF');
      expect(() => readCookie(other, 107)).toThrow(/owned by uid 106, not root/);
    }
    expect(() => readCookie(file('c3', 'ABCDEF', 0o640), 106)).toThrow(expect.objectContaining({code: 4}));
    expect(() => readCookie(file('c4', '  \n'), 106)).toThrow(expect.objectContaining({code: 2, message: expect.stringContaining('is empty')}));
    expect(() => readCookie(file('c5', 'AB CD'), 106)).toThrow(expect.objectContaining({code: 2}));
    expect(() => readCookie(join(dir, 'none'), 106)).toThrow(expect.objectContaining({code: 2, message: expect.stringContaining('does not exist')}));
  });

  test('the password is the first line; no message shows it', () => {
    expect(readPassword(file('p1', 's3cr3t pass\nsecond line\n'))).toBe('s3cr3t pass');
    try {
      readPassword(file('p2', 's3cr3t', 0o644));
      throw new Error('accepted');
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
      expect((error as {code?: number}).code).toBe(4);
    }
  });
});

describe('summariseStartFailure', () => {
  test('the node log [error] lines without timestamps and pids', () => {
    const node = [
      '2026-12-02 04:17:13.432869+00:00 [info] <0.653.0> Server startup',
      '2026-12-02 04:17:13.432869+00:00 [error] <0.653.0> Failed to start Ranch listener {acceptor,{127,0,0,1},5672} in ranch_tcp:listen',
      '2026-12-02 04:17:13.432869+00:00 [error] <0.653.0> ',
    ].join('\n');
    expect(summariseStartFailure(node, '')).toBe('[error] Failed to start Ranch listener {acceptor,{127,0,0,1},5672} in ranch_tcp:listen');
  });

  test('BOOT FAILED and the last output lines when the node log has nothing', () => {
    expect(summariseStartFailure('', 'starting\nBOOT FAILED\n===========\nError during startup: {error,x}\n')).toBe('BOOT FAILED | Error during startup: {error,x}');
    expect(summariseStartFailure('', 'a\nb\nc\nd\n')).toBe('b | c | d');
  });
});
