// `hacloud config`: the crmsh configuration it prints loads into a CIB with
// crmsh and passes crm_verify, its pcs twin builds the same configuration,
// and for the example's pair it is the example configuration plus the rest.
import {execa} from 'execa';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {requireOcfAgent} from '../cluster/harness';
import {cibEssentials} from '../helpers/cib-essentials';

jest.setTimeout(300_000);

const root = join(__dirname, '../..');
const HACLOUD = join(root, 'dist/hacloud');
const SERVICES = ['keystone', 'glance-api', 'placement-api', 'nova-api', 'nova-scheduler', 'nova-conductor', 'neutron-server', 'neutron-dhcp-agent', 'cinder-api', 'cinder-volume', 'heat-api', 'heat-engine', 'horizon'];
const PAIR = {
  nodes: [{name: 'ctl1', address: '198.51.100.11'}, {name: 'ctl2', address: '198.51.100.12'}],
  vip: '203.0.113.10/24',
  drbd: {resource: 'r0', device: '/dev/drbd0'},
  rabbitmq: {cookie_file: '/etc/hacloud/rabbitmq.cookie', check_user: 'hacloud-monitor', check_password_file: '/etc/hacloud/rabbitmq-monitor.pw'},
  services: SERVICES,
  openstack: {credentials: '/etc/hacloud/keystone-monitor.conf'},
};

let dir = '';
beforeAll(() => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql', 'rabbitmq', ...SERVICES]) requireOcfAgent(`ocf:hacloud:${agent}`);
  dir = mkdtempSync('/var/tmp/hct-config-');
});
afterAll(() => dir && rmSync(dir, {recursive: true, force: true}));

// An empty CIB that knows the pair's nodes (a running cluster would).
async function emptyCib(name: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, (await execa('cibadmin', ['--empty'])).stdout);
  for (const [id, node] of [['1', 'ctl1'], ['2', 'ctl2']]) {
    await execa('cibadmin', ['--create', '--scope', 'nodes', '--xml-text', `<node id="${id}" uname="${node}"/>`], {env: {CIB_file: file}});
  }
  return file;
}
// A CIB file has no quorum, which Pacemaker rightly notes; nothing else may be said.
const complaints = (text: string): string[] => text.split('\n').filter((l) => l.trim() && !/disabled due to lack of quorum|crm_verify: Warnings found during check/.test(l));
async function generate(description: object, extra: string[] = []): Promise<string> {
  const file = join(dir, `pair-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(description));
  return (await execa(HACLOUD, ['config', file, ...extra])).stdout;
}
async function loadCrm(text: string, name: string): Promise<string> {
  const cib = await emptyCib(name);
  const file = join(dir, `${name}.crm`);
  writeFileSync(file, text);
  const crm = await execa('crm', ['configure', 'load', 'update', file], {env: {CIB_file: cib}, reject: false, all: true});
  expect(complaints(crm.all)).toEqual([]);
  expect(crm.exitCode).toBe(0);
  return cib;
}

test('the whole controller: crmsh loads it silently, crm_verify and crm configure verify are clean, pcs builds the same', async () => {
  const crmText = await generate(PAIR);
  const crmCib = await loadCrm(crmText, 'crm');
  const verify = await execa('crm_verify', ['--xml-file', crmCib, '-V'], {reject: false, all: true});
  expect(complaints(verify.all)).toEqual([]);
  // 78 (CRM_EX_CONFIG as a warning) for the quorum note alone; test/cluster/config.test.ts wants 0 on a live cluster.
  expect([0, 78]).toContain(verify.exitCode);
  const crmVerify = await execa('crm', ['configure', 'verify'], {env: {CIB_file: crmCib}, reject: false, all: true});
  expect(complaints(crmVerify.all)).toEqual([]);
  expect(crmVerify.exitCode).toBe(0);

  const pcsCib = await emptyCib('pcs.xml');
  const script = join(dir, 'pcs.sh');
  writeFileSync(script, await generate(PAIR, ['--pcs']));
  const pcs = await execa('sh', [script], {env: {CIB: pcsCib}, reject: false, all: true});
  expect(pcs.all).not.toMatch(/^Error/m);
  expect(pcs.exitCode).toBe(0);

  const fromCrm = cibEssentials(readFileSync(crmCib, 'utf8'));
  const fromPcs = cibEssentials(readFileSync(pcsCib, 'utf8'));
  expect(fromPcs).toEqual(fromCrm);

  // Every chosen service is there, with the VIP, after it; fencing for both nodes, never on itself.
  const ids = fromCrm.primitives.map((p) => p.id);
  expect(ids).toEqual(expect.arrayContaining(['rabbitmq', ...SERVICES, 'fence_ctl1', 'fence_ctl2']));
  for (const service of SERVICES) {
    expect(fromCrm.colocations).toContainEqual(expect.objectContaining({rsc: service, with: 'g_mysql', score: 'INFINITY'}));
    expect(fromCrm.orders).toContainEqual(expect.objectContaining({first: 'g_mysql', then: service, kind: 'Mandatory'}));
  }
  expect(fromCrm.locations).toEqual([
    {rsc: 'fence_ctl1', node: 'ctl1', score: '-INFINITY'}, {rsc: 'fence_ctl2', node: 'ctl2', score: '-INFINITY'},
  ]);
  expect(fromCrm.properties['stonith-enabled']).toBe('true');
  // Timeouts are the agents' own: keystone's start from its meta-data.
  const meta = (await execa(HACLOUD, ['meta-data', 'keystone'])).stdout;
  const start = /<action name="start" timeout="(\d+)s"/.exec(meta)?.[1];
  const keystone = fromCrm.primitives.find((p) => p.id === 'keystone');
  expect(keystone?.ops.find((o) => o.name === 'start')?.timeout).toBe(Number(start));
  expect(keystone?.ops.map((o) => o.depth).filter(Boolean).sort()).toEqual(['10', '20']);
});

test('for the example\'s pair it contains packaging/examples/mysql-on-drbd.crm: same ids, parameters, operations, constraints', async () => {
  const generated = cibEssentials(readFileSync(await loadCrm(await generate({
    nodes: PAIR.nodes, vip: '203.0.113.10/24', drbd: {resource: 'r0', device: '/dev/drbd0'}, mysql: {credentials: '/etc/hacloud/mysql-monitor.cnf'},
  }), 'mini'), 'utf8'));
  // The example leaves fencing to the operator.
  const exampleCib = await emptyCib('example.xml');
  await execa('crm_attribute', ['--type', 'crm_config', '--name', 'stonith-enabled', '--update', 'false'], {env: {CIB_file: exampleCib}});
  await execa('crm', ['configure', 'load', 'update', join(root, 'packaging/examples/mysql-on-drbd.crm')], {env: {CIB_file: exampleCib}});
  const example = cibEssentials(readFileSync(exampleCib, 'utf8'));
  expect(generated.clones).toEqual(example.clones);
  expect(generated.groups).toEqual(example.groups);
  expect(generated.colocations).toEqual(expect.arrayContaining(example.colocations));
  expect(generated.orders).toEqual(expect.arrayContaining(example.orders));
  expect(generated.defaults).toEqual(expect.objectContaining(example.defaults));
});

test('a bad description is refused with every problem named, exit 2', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'nodes:\n  - {name: ctl1, address: 198.51.100.11}\nvip: nowhere\nservices: [keystone, nova-apii]\ncolour: blue\n');
  const r = await execa(HACLOUD, ['config', file], {reject: false});
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/exactly two nodes/);
  expect(r.stderr).toMatch(/vip: "nowhere" is not an IP address/);
  expect(r.stderr).toMatch(/no agent "nova-apii"/);
  expect(r.stderr).toMatch(/colour: unknown setting/);
});

test('flags give the same configuration as the file', async () => {
  const fromFile = await generate({nodes: PAIR.nodes, vip: PAIR.vip, rabbitmq: true, services: ['keystone', 'glance-api']});
  const fromFlags = (await execa(HACLOUD, ['config', '--node', 'ctl1=198.51.100.11', '--node', 'ctl2=198.51.100.12', '--vip', '203.0.113.10/24', '--services', 'keystone,glance-api'])).stdout;
  expect(fromFlags).toBe(fromFile);
});
