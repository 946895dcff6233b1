import {agentsOf, planController} from '../../../../lib/config/plan';
import {parseSpec, SpecError} from '../../../../lib/config/spec';
import {renderCrm} from '../../../../lib/config/crm';
import {loadAgent} from '../../../../agents';
import type {AnyAgentDeclaration} from '../../../../lib/ocf/declaration';

const KNOWN = ['keystone', 'glance-api', 'nova-scheduler'];
const PAIR = {nodes: [{name: 'ctl1', address: '198.51.100.11'}, {name: 'ctl2', address: '198.51.100.12'}], vip: '203.0.113.10/24'};

const problems = (input: unknown): string[] => {
  try {
    parseSpec(input, KNOWN);
  } catch (error) {
    if (error instanceof SpecError) return error.problems;
    throw error;
  }
  return [];
};

test('a minimal pair gets the example defaults', () => {
  const spec = parseSpec(PAIR, KNOWN);
  expect(spec.drbd).toEqual({resource: 'r0', device: '/dev/drbd0', directory: '/var/lib/mysql', fstype: 'ext4', options: 'noatime'});
  expect(spec.vip).toEqual({ip: '203.0.113.10', cidr_netmask: '24'});
  expect(spec.rabbitmq).toBeUndefined();
  expect(spec.services).toEqual([]);
});

test('every problem is reported at once', () => {
  expect(problems({nodes: [{name: 'a', address: 'x'}], vip: '10.0.0.300', drbd: {device: 'drbd0'}, services: ['nova'], extra: 1})).toEqual([
    'extra: unknown setting',
    'nodes: a controller pair has exactly two nodes (got 1)',
    'nodes[0].address: "x" is not an IP address',
    'nodes[1].name: missing',
    'nodes[1].address: missing',
    'vip: "10.0.0.300" is not an IP address',
    'drbd.device: "drbd0" is not an absolute path',
    'services: no agent "nova" (known: keystone, glance-api, nova-scheduler)',
  ]);
});

test('RPC services without a broker, a duplicated service and half a RabbitMQ check are refused', () => {
  expect(problems({...PAIR, services: ['nova-scheduler', 'nova-scheduler']})).toEqual([
    'services: nova-scheduler listed twice',
    'services: the OpenStack services need a message broker: add rabbitmq',
  ]);
  expect(problems({...PAIR, rabbitmq: {check_user: 'x'}})).toEqual(['rabbitmq: check_user and check_password_file go together']);
});

test('the plan takes timeouts from the declarations and names only declared parameters', async () => {
  const spec = parseSpec({...PAIR, rabbitmq: true, services: ['keystone', 'nova-scheduler']}, KNOWN);
  const decls: Record<string, AnyAgentDeclaration> = {};
  for (const name of agentsOf(spec)) decls[name] = (await loadAgent(name)) as AnyAgentDeclaration;
  const plan = planController(spec, decls);
  const keystone = plan.resources.find((r) => r.primitive.id === 'keystone');
  expect(keystone?.primitive.ops.find((o) => o.name === 'start')?.timeout).toBe(decls.keystone?.actions.start.timeout);
  // An RPC service neither binds the VIP nor gets the API checks.
  const scheduler = plan.resources.find((r) => r.primitive.id === 'nova-scheduler');
  expect(scheduler?.primitive.params).toEqual([]);
  expect(scheduler?.primitive.ops.every((o) => !o.depth)).toBe(true);
  expect(plan.constraints).toContainEqual({type: 'order', id: 'ord_rabbitmq_before_nova-scheduler', kind: 'Optional', first: 'rabbitmq', firstAction: 'start', then: 'nova-scheduler'});
  // A declaration without the parameter the plan wants is an error, not a silent typo.
  const noBind = {...decls.keystone, parameters: {}} as AnyAgentDeclaration;
  expect(() => planController(spec, {...decls, keystone: noBind})).toThrow(/agent keystone has no parameter bind_address/);
  expect(renderCrm(plan)).toMatch(/^group g_mysql fs_mysql vip_db mysql$/m);
});
