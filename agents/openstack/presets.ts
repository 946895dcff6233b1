import type {DaemonSpec, HealthCheck, Preset} from './preset';

// The service table: one row per agent, facts from Debian 12's packages
// (reference/openstack.md §3). Adding a service is adding a row here.

const uwsgi = (id: string, ini: string, pyargv = false): DaemonSpec => ({id, command: {kind: 'uwsgi', ini, pyargv}, rpc: false});
const daemon = (id: string, binary: string, rpc: boolean): DaemonSpec => ({id, command: {kind: 'daemon', binary}, rpc});

// oslo.middleware /healthcheck with the disable_by_file backend.
const healthcheck = (drainFile?: string): HealthCheck => ({path: '/healthcheck', status: [200], ...(drainFile ? {drainFile} : {})});
// A version document listing at least one version.
const versions = (status: readonly number[]): HealthCheck => ({path: '/', status, json: {path: 'versions', nonEmpty: true}});

// A row whose user and group are its project's and whose unit has its name (most of them).
type Row = Omit<Preset, 'user' | 'group' | 'units'> & Partial<Pick<Preset, 'user' | 'group' | 'units'>>;
const service = (row: Row): Preset => ({user: row.project, group: row.project, units: [row.name], ...row});

// An RPC-only service: one plain daemon whose tree must talk to the broker.
const rpcService = (name: string, title: string, project: string, configs: readonly string[]): Preset =>
  service({name, title, project, daemons: [daemon(name, `/usr/bin/${name}`, true)], configs});

const NOVA = ['/etc/nova/nova.conf'];
const NEUTRON = ['/etc/neutron/neutron.conf'];
const CINDER = ['/etc/cinder/cinder.conf'];
const HEAT = ['/etc/heat/heat.conf'];

export const presets: readonly Preset[] = [
  service({
    name: 'keystone',
    title: 'OpenStack Identity (keystone) under uWSGI',
    project: 'keystone',
    daemons: [uwsgi('keystone', '/etc/keystone/keystone-uwsgi.ini')],
    configs: ['/etc/keystone/keystone.conf'],
    // keystone/server/wsgi.py: files separated by ';'.
    configEnv: {files: 'OS_KEYSTONE_CONFIG_FILES'},
    port: 5000,
    // /healthcheck is hard-wired in keystone, but the version document says more.
    health: {path: '/v3', status: [200], json: {path: 'version.status', equals: 'stable'}},
    deepPath: '/v3/auth/projects',
  }),
  service({
    name: 'glance-api',
    title: 'OpenStack Image service API (glance-api)',
    project: 'glance',
    daemons: [daemon('glance-api', '/usr/bin/glance-api', false)],
    configs: ['/etc/glance/glance-api.conf'],
    port: 9292,
    health: healthcheck('/etc/glance/healthcheck_disable'),
    deepPath: '/v2/images',
  }),
  service({
    name: 'nova-api',
    title: 'OpenStack Compute API (nova-api) under uWSGI',
    project: 'nova',
    daemons: [uwsgi('nova-api', '/etc/nova/nova-api-uwsgi.ini')],
    // nova-api-wsgi ignores argv: OS_NOVA_CONFIG_DIR holds api-paste.ini and nova.conf.
    configs: NOVA,
    configEnv: {dir: 'OS_NOVA_CONFIG_DIR'},
    port: 8774,
    // Its /healthcheck is unreachable (the filter sits inside the /v2.1 pipelines).
    health: versions([200]),
    deepPath: '/v2.1/servers',
  }),
  service({
    name: 'nova-metadata-api',
    title: 'OpenStack Compute metadata API (nova-api-metadata) under uWSGI',
    project: 'nova',
    daemons: [uwsgi('nova-metadata-api', '/etc/nova/nova-api-metadata-uwsgi.ini')],
    configs: NOVA,
    configEnv: {dir: 'OS_NOVA_CONFIG_DIR'},
    port: 8775,
    // The metadata root lists its versions as plain text.
    health: {path: '/', status: [200]},
    units: ['nova-api-metadata'],
  }),
  rpcService('nova-scheduler', 'OpenStack Compute scheduler (nova-scheduler)', 'nova', NOVA),
  rpcService('nova-conductor', 'OpenStack Compute conductor (nova-conductor)', 'nova', NOVA),
  service({
    name: 'nova-novncproxy',
    // Debian's package is nova-consoleproxy (unit nova-novncproxy).
    title: 'OpenStack Compute noVNC console proxy (nova-novncproxy)',
    project: 'nova',
    daemons: [daemon('nova-novncproxy', '/usr/bin/nova-novncproxy', false)],
    configs: NOVA,
    port: 6080,
    health: {path: '/vnc_lite.html', status: [200]},
  }),
  service({
    name: 'placement-api',
    title: 'OpenStack Placement API under uWSGI',
    project: 'placement',
    daemons: [uwsgi('placement-api', '/etc/placement/placement-api-uwsgi.ini')],
    configs: ['/etc/placement/placement.conf'],
    configEnv: {dir: 'OS_PLACEMENT_CONFIG_DIR'},
    port: 8778,
    // No /healthcheck (it answers 401).
    health: versions([200]),
    deepPath: '/resource_providers',
  }),
  service({
    name: 'neutron-server',
    title: 'OpenStack Networking server: neutron-api (uWSGI) and neutron-rpc-server together',
    project: 'neutron',
    daemons: [uwsgi('neutron-api', '/etc/neutron/neutron-api-uwsgi.ini', true), daemon('neutron-rpc-server', '/usr/bin/neutron-rpc-server', true)],
    configs: [...NEUTRON, '/etc/neutron/plugins/ml2/ml2_conf.ini'],
    port: 9696,
    health: healthcheck('/etc/neutron/healthcheck_disable'),
    deepPath: '/v2.0/networks',
    units: ['neutron-api', 'neutron-rpc-server'],
  }),
  rpcService('neutron-dhcp-agent', 'OpenStack Networking DHCP agent', 'neutron', [...NEUTRON, '/etc/neutron/dhcp_agent.ini']),
  rpcService('neutron-l3-agent', 'OpenStack Networking L3 agent', 'neutron', [...NEUTRON, '/etc/neutron/l3_agent.ini']),
  rpcService('neutron-metadata-agent', 'OpenStack Networking metadata agent', 'neutron', [...NEUTRON, '/etc/neutron/metadata_agent.ini']),
  service({
    name: 'cinder-api',
    title: 'OpenStack Block Storage API (cinder-api) under uWSGI',
    project: 'cinder',
    daemons: [uwsgi('cinder-api', '/etc/cinder/cinder-api-uwsgi.ini', true)],
    configs: CINDER,
    port: 8776,
    health: healthcheck('/etc/cinder/healthcheck_disable'),
    deepPath: '/v3/{project_id}/volumes',
  }),
  rpcService('cinder-scheduler', 'OpenStack Block Storage scheduler', 'cinder', CINDER),
  rpcService('cinder-volume', 'OpenStack Block Storage volume service (active/passive only)', 'cinder', CINDER),
  service({
    name: 'heat-api',
    title: 'OpenStack Orchestration API (heat-api) under uWSGI',
    project: 'heat',
    daemons: [uwsgi('heat-api', '/etc/heat/heat-api-uwsgi.ini', true)],
    configs: HEAT,
    port: 8004,
    // The filter answers 200 with an empty body (no backends).
    health: healthcheck(),
    deepPath: '/v1/{project_id}/stacks',
  }),
  service({
    name: 'heat-api-cfn',
    title: 'OpenStack Orchestration CloudFormation API (heat-api-cfn) under uWSGI',
    project: 'heat',
    daemons: [uwsgi('heat-api-cfn', '/etc/heat/heat-api-cfn-uwsgi.ini', true)],
    configs: HEAT,
    port: 8000,
    health: versions([200, 300]),
  }),
  rpcService('heat-engine', 'OpenStack Orchestration engine', 'heat', HEAT),
  service({
    name: 'horizon',
    title: 'OpenStack dashboard (horizon) in apache2 with mod_wsgi',
    project: 'apache2',
    daemons: [{id: 'apache2', command: {kind: 'apache', binary: '/usr/sbin/apache2ctl'}, rpc: false}],
    configs: ['/etc/openstack-dashboard/local_settings.py'],
    // apache2 starts as root and runs the dashboard as www-data itself.
    user: 'root',
    group: 'root',
    port: 80,
    // The login page renders without keystone.
    health: {path: '/horizon/auth/login/', status: [200]},
    units: ['apache2'],
  }),
];

export const presetNames = (): string[] => presets.map((p) => p.name);

export const findPreset = (name: string): Preset | undefined => presets.find((p) => p.name === name);
