// `hacloud config` output loaded into a real (single-node) cluster: crmsh
// accepts it, and `crm configure verify` and `crm_verify -L` are clean on the
// live CIB. The cluster runs in maintenance mode, so Pacemaker starts none of
// the resources (there is no DRBD, no BMC here); the node is named ctl1.
import {execa} from 'execa';
import {join} from 'node:path';
import {requireOcfAgent, startCluster, type Cluster} from './harness';

jest.setTimeout(300_000);

const HACLOUD = join(__dirname, '../../dist/hacloud');
const SERVICES = ['keystone', 'glance-api', 'placement-api', 'nova-api', 'nova-scheduler', 'nova-conductor', 'neutron-server', 'cinder-api', 'heat-engine'];

// Pacemaker's note on startup-fencing=false (ours, above); nothing else may be said.
const complaints = (text: string): string[] => text.split('\n').filter((l) => l.trim() && !/Blind faith: not fencing unseen nodes/.test(l));

let cluster: Cluster | undefined;
beforeAll(async () => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql', 'rabbitmq', ...SERVICES]) requireOcfAgent(`ocf:hacloud:${agent}`);
  // ctl2 exists only in the CIB: startup-fencing=false keeps Pacemaker from
  // wanting to fence that never-seen peer (the test's doing, not the configuration's).
  cluster = await startCluster({nodeName: 'ctl1', properties: {'maintenance-mode': 'true', 'startup-fencing': 'false'}});
});
afterAll(async () => {
  await cluster?.stop();
});

test('the generated controller configuration loads into a running cluster and verifies clean', async () => {
  if (!cluster) throw new Error('cluster did not start (see beforeAll)');
  const text = (await execa(HACLOUD, ['config', '--node', 'ctl1=127.0.0.1', '--node', 'ctl2=127.0.0.2', '--vip', '203.0.113.10/24',
    '--services', SERVICES.join(',')])).stdout;
  // The peer is known to the CIB, as in a two-node cluster whose ctl2 is down.
  await cluster.exec(['cibadmin', '--create', '--scope', 'nodes', '--xml-text', '<node id="2" uname="ctl2"/>']);
  const load = await cluster.configure(text, {reject: false});
  expect(complaints(`${load.stdout}\n${load.stderr}`)).toEqual([]);
  expect(load.exitCode).toBe(0);

  const verify = await cluster.crm(['configure', 'verify'], {reject: false});
  expect(complaints(`${verify.stdout}\n${verify.stderr}`)).toEqual([]);
  expect(verify.exitCode).toBe(0);
  const crmVerify = await cluster.exec(['crm_verify', '-L', '-V'], {reject: false});
  expect(complaints(`${crmVerify.stdout}\n${crmVerify.stderr}`)).toEqual([]);
  expect(crmVerify.exitCode).toBe(0);

  // It is all there: every chosen service, the promotable clone, the group, fencing.
  const resources = (await cluster.exec(['cibadmin', '--query', '--scope', 'resources'])).stdout;
  for (const id of ['ms_drbd_r0', 'g_mysql', 'rabbitmq', 'fence_ctl1', 'fence_ctl2', ...SERVICES]) expect(resources).toContain(`id="${id}"`);
  const props = (await cluster.exec(['crm_attribute', '--type', 'crm_config', '--name', 'stonith-enabled', '--query'])).stdout;
  expect(props).toMatch(/value=true/);
});
