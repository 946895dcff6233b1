import {iniDefault, transportEndpoints} from '../../../agents/openstack/amqp';
import {invocation, socketAddress, stripAppArmor, usesAppArmor} from '../../../agents/openstack/command';
import {parseCredentials} from '../../../agents/openstack/deep-check';
import {checkJson, judgeHealth, valueAt} from '../../../agents/openstack/health';
import {openstackAgent} from '../../../agents/openstack';
import {parametersFor, probeAddress, type Params} from '../../../agents/openstack/parameters';
import {findPreset, presetNames, presets} from '../../../agents/openstack/presets';
import type {Preset} from '../../../agents/openstack/preset';
import {agentNames} from '../../../agents';
import {parseParameters} from '../../../lib/ocf/parameters';

const ISSUE_SERVICES = [
  'keystone', 'glance-api', 'nova-api', 'nova-metadata-api', 'nova-scheduler', 'nova-conductor', 'nova-novncproxy',
  'placement-api', 'neutron-server', 'neutron-dhcp-agent', 'neutron-l3-agent', 'neutron-metadata-agent', 'cinder-api',
  'cinder-scheduler', 'cinder-volume', 'heat-api', 'heat-api-cfn', 'heat-engine', 'horizon',
];

const preset = (name: string): Preset => findPreset(name) as Preset;

// The typed parameter values of a preset's agent, as the dispatcher builds them.
const paramsOf = (name: string, reskeys: Record<string, string> = {}): Params =>
  parseParameters(parametersFor(preset(name)), Object.fromEntries(Object.entries(reskeys).map(([k, v]) => [`OCF_RESKEY_${k}`, v]))).values as Params;

describe('the service table', () => {
  test('has one row per service of the issue, each registered as an agent', () => {
    expect([...presetNames()].sort()).toEqual([...ISSUE_SERVICES].sort());
    for (const name of ISSUE_SERVICES) expect(agentNames()).toContain(name);
  });

  test.each(presets.map((p) => [p.name, p] as const))('%s: APIs have a port and a health check, RPC-only services neither', (_, p) => {
    const rpcOnly = p.daemons.every((d) => d.rpc);
    expect(p.port === undefined).toBe(rpcOnly);
    expect(p.health === undefined).toBe(rpcOnly);
    expect(p.configs.length).toBeGreaterThan(0);
    expect(p.configs.every((c) => c.startsWith('/etc/'))).toBe(true);
    expect(openstackAgent(p).name).toBe(p.name);
  });

  test('neutron-server manages neutron-api and neutron-rpc-server', () => {
    expect(preset('neutron-server').daemons.map((d) => [d.id, d.rpc])).toEqual([['neutron-api', false], ['neutron-rpc-server', true]]);
  });

  test('the Debian facts of the brief: nova-api and placement check GET /, keystone /v3 with a stable version', () => {
    expect(preset('nova-api').health?.path).toBe('/');
    expect(preset('placement-api').health?.path).toBe('/');
    expect(preset('keystone').health).toEqual({path: '/v3', status: [200], json: {path: 'version.status', equals: 'stable'}});
    expect(preset('glance-api').daemons[0]?.command).toEqual({kind: 'daemon', binary: '/usr/bin/glance-api'});
  });
});

describe('preset to command line', () => {
  test('keystone: uWSGI with the ini, our listener, owner and log after it, config files in the environment', () => {
    const params = paramsOf('keystone', {bind_address: '127.0.0.1', port: '35000', extra_args: '--processes 2  --threads 4', log_file: '/var/tmp/k/ks.log'});
    expect(invocation(preset('keystone'), preset('keystone').daemons[0] as never, params, {owner: {uid: 101, gid: 102}})).toEqual({
      file: '/usr/bin/uwsgi_python311',
      args: [
        '--http-socket', '127.0.0.1:35000', '--ini', '/etc/keystone/keystone-uwsgi.ini', '--die-on-term', '--logto', '/var/tmp/k/ks.log',
        '--uid', '101', '--gid', '102', '--processes', '2', '--threads', '4',
      ],
      env: {OS_KEYSTONE_CONFIG_FILES: '/etc/keystone/keystone.conf'},
      logFile: '/var/tmp/k/ks.log',
    });
  });

  test('glance-api: the plain daemon with --config-file options', () => {
    const params = paramsOf('glance-api', {config: '/x/glance-api.conf /x/extra.conf'});
    const call = invocation(preset('glance-api'), preset('glance-api').daemons[0] as never, params);
    expect([call.file, call.args, call.logFile]).toEqual([
      '/usr/bin/glance-api',
      ['--config-file=/x/glance-api.conf', '--config-file=/x/extra.conf'],
      '/var/log/glance/glance-api.log',
    ]);
  });

  test('placement and nova get their config directory, cinder its files in --pyargv (one argument)', () => {
    const placement = invocation(preset('placement-api'), preset('placement-api').daemons[0] as never, paramsOf('placement-api', {config: '/t/p/placement.conf'}));
    expect(placement.env).toEqual({OS_PLACEMENT_CONFIG_DIR: '/t/p'});
    const cinder = invocation(preset('cinder-api'), preset('cinder-api').daemons[0] as never, paramsOf('cinder-api'));
    expect(cinder.args.slice(-2)).toEqual(['--pyargv', '--config-file=/etc/cinder/cinder.conf']);
  });

  test('neutron-server: the second daemon keeps its own binary and logs beside log_file', () => {
    const p = preset('neutron-server');
    const rpc = invocation(p, p.daemons[1] as never, paramsOf('neutron-server', {binary: '/opt/uwsgi', extra_args: '--x', log_file: '/l/api.log'}));
    expect(rpc).toMatchObject({
      file: '/usr/bin/neutron-rpc-server',
      args: ['--config-file=/etc/neutron/neutron.conf', '--config-file=/etc/neutron/plugins/ml2/ml2_conf.ini'],
      logFile: '/l/neutron-rpc-server.log',
    });
  });

  test('IPv6 listen addresses are bracketed; wildcards are probed on loopback', () => {
    expect(socketAddress('::', 5000)).toBe('[::]:5000');
    expect(socketAddress('192.0.2.1', 5000)).toBe('192.0.2.1:5000');
    expect([probeAddress('0.0.0.0'), probeAddress('::'), probeAddress('192.0.2.5')]).toEqual(['127.0.0.1', '::1', '192.0.2.5']);
  });

  test("the AppArmor lines of Debian's ini are removed, the other plugins kept", () => {
    const ini = '[uwsgi]\nmaster = true\nplugins = python3,apparmor\napparmor-profile = keystone\nuid = keystone\n';
    expect(usesAppArmor(ini)).toBe(true);
    expect(stripAppArmor(ini)).toBe('[uwsgi]\nmaster = true\nplugins = python3\nuid = keystone\n');
    expect(usesAppArmor(stripAppArmor(ini))).toBe(false);
    expect(stripAppArmor('plugin = apparmor\n')).toBe('# plugin = apparmor (apparmor removed by hacloud)\n');
  });
});

describe('health predicates', () => {
  const keystone = preset('keystone').health as NonNullable<Preset['health']>;
  const glance = preset('glance-api').health as NonNullable<Preset['health']>;
  const nova = preset('nova-api').health as NonNullable<Preset['health']>;

  test('keystone /v3: 200 with a stable version passes; other statuses or versions fail', () => {
    const body = JSON.stringify({version: {id: 'v3.14', status: 'stable'}});
    expect(judgeHealth(keystone, '/v3', {status: 200, body})).toEqual({kind: 'healthy'});
    expect(judgeHealth(keystone, '/v3', {status: 200, body: '{"version":{"status":"deprecated"}}'})).toEqual({
      kind: 'unhealthy',
      reason: 'GET /v3: version.status is "deprecated", expected "stable"',
    });
    expect(judgeHealth(keystone, '/v3', {status: 200, body: '<html>'})).toMatchObject({kind: 'unhealthy', reason: expect.stringContaining('without JSON')});
    expect(judgeHealth(keystone, '/v3', {status: 500, body: 'boom'})).toEqual({kind: 'unhealthy', reason: 'GET /v3 answered 500 (expected 200): boom'});
  });

  test('a /healthcheck disabled by file is draining, another 503 a failure', () => {
    expect(judgeHealth(glance, '/healthcheck', {status: 503, body: 'DISABLED BY FILE'})).toEqual({kind: 'draining'});
    expect(judgeHealth(glance, '/healthcheck', {status: 503, body: 'Service Unavailable'}).kind).toBe('unhealthy');
    expect(judgeHealth(glance, '/healthcheck', {status: 200, body: 'OK'})).toEqual({kind: 'healthy'});
  });

  test('nova-api: the version list must not be empty', () => {
    expect(judgeHealth(nova, '/', {status: 200, body: '{"versions":[{"id":"v2.1"}]}'}).kind).toBe('healthy');
    expect(judgeHealth(nova, '/', {status: 200, body: '{"versions":[]}'}).kind).toBe('unhealthy');
  });

  test('paths index objects and arrays', () => {
    expect(valueAt({a: [{b: 1}]}, 'a.0.b')).toBe(1);
    expect(valueAt({a: 1}, 'a.b')).toBeUndefined();
    expect(checkJson({path: 'x', nonEmpty: true}, {x: {k: 1}})).toBeUndefined();
  });
});

describe('configuration files', () => {
  test('transport_url of [DEFAULT]: the last file wins, other sections are ignored', () => {
    const a = '[DEFAULT]\ntransport_url = rabbit://u:p@old:5672/\n[oslo_messaging_rabbit]\ntransport_url = rabbit://x@nope:1/\n';
    const b = '[database]\nconnection=sqlite://\n[DEFAULT]\ntransport_url=rabbit://u:p@new:5673/\n';
    expect(iniDefault([a, b], 'transport_url')).toBe('rabbit://u:p@new:5673/');
    expect(iniDefault([a], 'missing')).toBeUndefined();
  });

  test('transport_url hosts: several brokers, IPv6, default port; credentials dropped', () => {
    expect(transportEndpoints('rabbit://nova:s3cr@t@10.0.0.1:5672,nova:pw@[2001:db8::1]:5671,host3/vhost')).toEqual([
      {host: '10.0.0.1', port: 5672},
      {host: '2001:db8::1', port: 5671},
      {host: 'host3', port: 5672},
    ]);
    expect(transportEndpoints('fake://')).toEqual([]);
  });

  test('the credentials file needs auth_url, username, password and project_name', () => {
    expect(parseCredentials('# c\nauth_url = http://127.0.0.1:5000/v3\nusername=admin\npassword=a=b\nproject_name=admin\n')).toEqual({
      authUrl: 'http://127.0.0.1:5000/v3',
      username: 'admin',
      password: 'a=b',
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
    });
    expect(parseCredentials('username=a\n')).toEqual({missing: ['auth_url', 'password', 'project_name']});
  });
});
