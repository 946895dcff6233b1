// The example configurations in packaging/examples: the crmsh file and its
// pcs twin build the same cluster configuration (resources, parameters,
// operations, constraints, defaults), checked against the installed agents'
// meta-data by crmsh, pcs and crm_verify, each on a CIB file of its own.
import {execa} from 'execa';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {cibEssentials as essentials} from '../helpers/cib-essentials';
import {requireOcfAgent} from '../cluster/harness';

jest.setTimeout(120_000);

const EXAMPLES = join(__dirname, '../../packaging/examples');

let dir = '';
beforeAll(() => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql', 'backup']) requireOcfAgent(`ocf:hacloud:${agent}`);
  dir = mkdtempSync('/var/tmp/hct-examples-');
});
afterAll(() => dir && rmSync(dir, {recursive: true, force: true}));

// An empty CIB with fencing and quorum out of the way (the example leaves
// fencing to the operator), so any complaint left is about the example.
async function emptyCib(name: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, (await execa('cibadmin', ['--empty'])).stdout);
  for (const [property, value] of [['stonith-enabled', 'false'], ['no-quorum-policy', 'ignore']] as const) {
    await execa('crm_attribute', ['--type', 'crm_config', '--name', property, '--update', value], {env: {CIB_file: file}});
  }
  return file;
}

// Loads EXAMPLE.crm with crmsh and runs EXAMPLE.pcs.sh, each into a CIB file
// made by `cib`; both must load without a word beyond `tolerated` and pass
// crm_verify. Returns the two configurations' essentials.
async function buildBoth(example: string, cib: (name: string) => Promise<string>, tolerated: RegExp) {
  const complaints = (text: string) => text.split('\n').filter((l) => l.trim() && !tolerated.test(l));
  const crmCib = await cib(`${example}-crm.xml`);
  const crm = await execa('crm', ['configure', 'load', 'update', join(EXAMPLES, `${example}.crm`)], {
    env: {CIB_file: crmCib}, reject: false, all: true,
  });
  expect(complaints(crm.all)).toEqual([]);
  expect(crm.exitCode).toBe(0);

  const pcsCib = await cib(`${example}-pcs.xml`);
  const pcs = await execa('sh', [join(EXAMPLES, `${example}.pcs.sh`)], {env: {CIB: pcsCib}, reject: false, all: true});
  // pcs reports what it adds and a general note on defaults; an error starts with "Error:".
  expect(pcs.all).not.toMatch(/^Error/m);
  expect(pcs.exitCode).toBe(0);

  for (const file of [crmCib, pcsCib]) {
    const verify = await execa('crm_verify', ['--xml-file', file], {reject: false, all: true});
    expect(complaints(verify.all)).toEqual([]);
    expect(verify.exitCode).toBe(0);
  }
  return [crmCib, pcsCib].map((file) => essentials(readFileSync(file, 'utf8')));
}

test('mysql-on-drbd: crmsh and pcs build the same configuration, and crm_verify accepts it', async () => {
  // Fencing is off in this test CIB, which Pacemaker rightly warns about; nothing else may be said.
  const [fromCrm, fromPcs] = await buildBoth('mysql-on-drbd', emptyCib, /Blind faith: not fencing unseen nodes/);
  expect(fromCrm?.clones.map((c) => c.id)).toEqual(['ms_drbd_r0']);
  expect(fromCrm?.groups[0]?.members.map((m) => m.id)).toEqual(['fs_mysql', 'vip_db', 'mysql']);
  expect(fromCrm?.primitives.map((p) => [p.id, p.agent])).toEqual([['db_backup', 'ocf:hacloud:backup']]);
  expect(fromCrm?.colocations.map((c) => [c.rsc, c.with])).toEqual([['db_backup', 'g_mysql'], ['g_mysql', 'ms_drbd_r0']]); // sorted by id
  expect(fromCrm?.orders.map((o) => [o.first, o.then])).toEqual([['ms_drbd_r0', 'g_mysql'], ['g_mysql', 'db_backup']]);
  expect(fromPcs).toEqual(fromCrm);
});

test('controller: crmsh and pcs build the same whole controller, and crm_verify accepts it', async () => {
  for (const agent of ['rabbitmq', 'keystone', 'glance-api', 'placement-api', 'cinder-api', 'nova-api', 'heat-api', 'heat-engine']) {
    requireOcfAgent(`ocf:hacloud:${agent}`);
  }
  // The example turns fencing on and leaves the devices to the operator: one stands in for them.
  const withFencing = async (name: string): Promise<string> => {
    const file = await emptyCib(name);
    await execa('cibadmin', ['--create', '--scope', 'resources', '--xml-text', '<primitive id="fence_test" class="stonith" type="fence_dummy"/>'],
      {env: {CIB_file: file}});
    return file;
  };
  // A CIB file has no cluster, so no quorum: with the example's no-quorum-policy=stop Pacemaker says so.
  const [fromCrm, fromPcs] = await buildBoth('controller', withFencing, /Blind faith: not fencing unseen nodes|disabled due to lack of quorum/);
  expect(fromCrm?.groups[0]?.members.map((m) => m.id)).toEqual(['fs_mysql', 'vip_db', 'mysql']);
  expect(fromCrm?.primitives.map((p) => p.id).sort()).toEqual(['cinder-api', 'db_backup', 'fence_test', 'glance-api', 'heat-api', 'heat-engine',
    'keystone', 'nova-api', 'placement-api', 'rabbitmq']);
  // Every service with the group and after it; after RabbitMQ optionally (all but keystone).
  const optional = fromCrm?.orders.filter((o) => o.first === 'rabbitmq').map((o) => o.then).sort();
  expect(optional).toEqual(['cinder-api', 'glance-api', 'heat-api', 'heat-engine', 'nova-api', 'placement-api']);
  expect(fromPcs).toEqual(fromCrm);
});
