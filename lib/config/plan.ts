import type {AnyAgentDeclaration} from '../ocf/declaration';
import {isPromotable, suggestedOperations} from '../ocf/operations';
import type {ControllerSpec} from './spec';
import type {PrimitiveSpec} from './syntax';

type Pairs = [string, string][];

// One resource of the configuration and where it goes.
export interface PlannedResource {
  primitive: PrimitiveSpec;
  // Comment lines above it.
  comment: string[];
  group?: string;
  // A promotable clone around it.
  promotable?: {id: string; meta: Pairs};
}

export type Constraint =
  | {type: 'colocation'; id: string; rsc: string; withRsc: string; withRole?: 'Promoted'}
  | {type: 'order'; id: string; kind: 'Mandatory' | 'Optional'; first: string; firstAction: 'start' | 'promote'; then: string}
  | {type: 'location'; id: string; rsc: string; node: string; score: '-INFINITY'};

// The whole configuration, agent-neutral: the crmsh and pcs writers render it.
export interface ControllerPlan {
  // Header comment lines: what to prepare, what to fill in.
  notes: string[];
  properties: Pairs;
  rscDefaults: Pairs;
  resources: PlannedResource[];
  constraints: Constraint[];
  groups: {id: string; members: string[]}[];
}

// Agent declarations by name: what `planController` reads defaults and timeouts from.
export type Declarations = Readonly<Record<string, AnyAgentDeclaration>>;

// The ids of the example configuration (packaging/examples/mysql-on-drbd.crm).
export const IDS = {
  group: 'g_mysql',
  fs: 'fs_mysql',
  vip: 'vip_db',
  mysql: 'mysql',
  rabbitmq: 'rabbitmq',
  backup: 'db_backup',
  drbd: (res: string) => `drbd_${res}`,
  clone: (res: string) => `ms_drbd_${res}`,
} as const;

const PROMOTABLE_META: Pairs = [['promoted-max', '1'], ['promoted-node-max', '1'], ['clone-max', '2'], ['clone-node-max', '1'], ['notify', 'true']];

// Placeholder of a fence parameter the operator must fill in.
export const FILL_IN = 'FILL-IN';

// The agents a specification needs declarations of.
export const agentsOf = (spec: ControllerSpec): string[] =>
  ['drbd', 'fs', 'vip', 'mysql', ...(spec.backup ? ['backup'] : []), ...(spec.rabbitmq ? ['rabbitmq'] : []), ...spec.services];

// The configuration of a controller pair: DRBD promotable clone, then the
// group filesystem → VIP → MariaDB on the Primary (the example's ids),
// RabbitMQ and each OpenStack service with the VIP, fencing per node.
// Timeouts, intervals and defaults come from the agents' declarations.
export function planController(spec: ControllerSpec, decls: Declarations): ControllerPlan {
  const decl = (name: string): AnyAgentDeclaration => {
    const d = decls[name];
    if (!d) throw new Error(`no declaration of agent ${name}`);
    return d;
  };
  const hasParam = (agent: string, param: string): boolean => Object.hasOwn(decl(agent).parameters, param);
  // Only parameters the agent declares; unset ones are left to its default.
  const params = (agent: string, list: [string, string | undefined][]): Pairs =>
    list.flatMap(([name, value]): Pairs => {
      if (!hasParam(agent, name)) throw new Error(`agent ${agent} has no parameter ${name}`);
      return value === undefined || value === '' ? [] : [[name, value]];
    });
  const primitive = (id: string, agent: string, list: [string, string | undefined][], depth = 0): PrimitiveSpec => ({
    id, agent: `ocf:hacloud:${agent}`, params: params(agent, list), ops: suggestedOperations(decl(agent), depth),
  });

  const {drbd, vip, nodes} = spec;
  const resources: PlannedResource[] = [];
  const constraints: Constraint[] = [];
  const drbdId = IDS.drbd(drbd.resource);
  const cloneId = IDS.clone(drbd.resource);
  if (!isPromotable(decl('drbd'))) throw new Error('the drbd agent is not promotable');

  resources.push({
    comment: ['DRBD: one Primary; the agent publishes promotion scores from the disk', 'states and repairs a split brain on the way to promotion.'],
    primitive: primitive(drbdId, 'drbd', [['drbd_resource', drbd.resource]]),
    promotable: {id: cloneId, meta: [['promotable', 'true'], ...PROMOTABLE_META]},
  });
  resources.push({
    comment: ['The filesystem on the DRBD device, where MariaDB keeps its data.'],
    primitive: primitive(IDS.fs, 'fs', [['device', drbd.device], ['directory', drbd.directory], ['fstype', drbd.fstype], ['options', drbd.options]]),
    group: IDS.group,
  });
  resources.push({
    comment: ['The controller\'s address: clients reach the database, the broker and every API here.'],
    primitive: primitive(IDS.vip, 'vip', [['ip', vip.ip], ['cidr_netmask', vip.cidr_netmask], ['nic', vip.nic]]),
    group: IDS.group,
  });
  resources.push({
    comment: ['MariaDB, listening on the virtual address; the deeper monitor runs a query.'],
    primitive: primitive(IDS.mysql, 'mysql', [['datadir', drbd.directory], ['bind_address', vip.ip], ['credentials', spec.mysql.credentials]], 10),
    group: IDS.group,
  });
  constraints.push(
    {type: 'colocation', id: 'col_mysql_on_drbd_primary', rsc: IDS.group, withRsc: cloneId, withRole: 'Promoted'},
    {type: 'order', id: 'ord_drbd_promote_before_mysql', kind: 'Mandatory', first: cloneId, firstAction: 'promote', then: IDS.group},
  );

  // Everything else binds the VIP, a member of the group: with the group,
  // after it (crmsh rightly refuses constraints on a group's member).
  // After the broker only when both start: a broker restart restarts no service.
  const withGroup = (id: string): Constraint[] => [
    {type: 'colocation', id: `col_${id}_with_mysql`, rsc: id, withRsc: IDS.group},
    {type: 'order', id: `ord_mysql_before_${id}`, kind: 'Mandatory', first: IDS.group, firstAction: 'start', then: id},
  ];
  if (spec.backup) {
    const b = spec.backup;
    resources.push({
      comment: ['Backups where the database runs: full sets and differentials against the', 'latest full; the schedule moves with the database on failover.'],
      primitive: primitive(IDS.backup, 'backup', [['backup_dir', b.backup_dir], ['credentials', b.credentials],
        ['full_interval', b.full_interval], ['differential_interval', b.differential_interval]], 10),
    });
    constraints.push(...withGroup(IDS.backup));
  }
  if (spec.rabbitmq) {
    const r = spec.rabbitmq;
    resources.push({
      comment: ['RabbitMQ, one broker on the virtual address (mode=single); the Erlang', 'cookie comes from a root-only file, identical on both nodes.'],
      primitive: primitive(IDS.rabbitmq, 'rabbitmq', [
        ['mode', 'single'], ['ip', vip.ip], ['cookie_file', r.cookie_file], ['check_user', r.check_user], ['check_password_file', r.check_password_file],
      ], r.check_user ? 10 : 0),
    });
    constraints.push(...withGroup(IDS.rabbitmq));
  }
  for (const service of spec.services) {
    const d = decl(service);
    const api = Number((d.parameters as Record<string, {default?: unknown}>).port?.default ?? 0) > 0;
    const deep = api && spec.openstack.credentials !== undefined && String((d.parameters as Record<string, {default?: unknown}>).deep_check_path?.default ?? '') !== '';
    resources.push({
      comment: [`${d.shortdesc}.`],
      primitive: primitive(service, service, [
        ['bind_address', api ? vip.ip : undefined], ['credentials', deep ? spec.openstack.credentials : undefined],
      ], deep ? 20 : api ? 10 : 0),
    });
    constraints.push(
      ...withGroup(service),
      ...(spec.rabbitmq && service !== 'keystone' && service !== 'horizon'
        ? [{type: 'order', id: `ord_rabbitmq_before_${service}`, kind: 'Optional', first: IDS.rabbitmq, firstAction: 'start', then: service} as const]
        : []),
    );
  }

  // Fencing: one device per node, never run by the node it fences; the
  // first node's device waits 10 s so that in a fence race the first node wins.
  const fenceIds: string[] = [];
  nodes.forEach((node, i) => {
    const id = `fence_${node.name}`;
    fenceIds.push(id);
    const given = new Map(Object.entries(node.fence));
    const fill = (name: string, placeholder: string): [string, string] => [name, given.get(name) ?? placeholder];
    const list: Pairs = spec.fencing.agent === 'fence_ipmilan'
      ? [fill('ip', `${FILL_IN}-bmc-address-of-${node.name}`), fill('username', FILL_IN), fill('password_script', `/etc/hacloud/fence-${node.name}.password`), fill('lanplus', '1')]
      : [];
    for (const [name, value] of given) if (!list.some(([n]) => n === name)) list.push([name, value]);
    list.push(['pcmk_host_list', node.name]);
    if (i === 0) list.push(['pcmk_delay_base', '10s']);
    resources.push({
      comment: i === 0 ? ['Fencing: FILL IN each node\'s fence device (its BMC address, user and a', 'script printing the password) before going live.'] : [],
      primitive: {id, agent: `stonith:${spec.fencing.agent}`, params: list, ops: [{name: 'monitor', interval: 60, timeout: 20}]},
    });
    constraints.push({type: 'location', id: `loc_${id}_not_on_${node.name}`, rsc: id, node: node.name, score: '-INFINITY'});
  });

  const groups = [{id: IDS.group, members: resources.filter((r) => r.group === IDS.group).map((r) => r.primitive.id)}];
  return {
    notes: notes(spec),
    properties: [['stonith-enabled', 'true'], ['no-quorum-policy', 'stop'], ['cluster-recheck-interval', '5min']],
    rscDefaults: [['resource-stickiness', '200'], ['migration-threshold', '3'], ['failure-timeout', '10min']],
    resources, constraints, groups,
  };
}

// What the operator prepares before loading it.
function notes(spec: ControllerSpec): string[] {
  const [a, b] = spec.nodes;
  return [
    `Controller pair ${a.name} (${a.address}) and ${b.name} (${b.address}), VIP ${spec.vip.ip}.`,
    '',
    'Before loading, on both nodes:',
    ' - corosync.conf lists both nodes with these addresses and sets',
    '   quorum { provider: corosync_votequorum  two_node: 1 };',
    ` - DRBD resource ${spec.drbd.resource} (device ${spec.drbd.device}) defined, with fencing resource-and-stonith`,
    '   and the hacloud split-brain handler; its init script disabled;',
    ` - ${spec.drbd.fstype} made once on the Primary; ${spec.drbd.directory} exists on both nodes;`,
    ` - MariaDB installed, its unit disabled; ${spec.mysql.credentials} (0600 root) holds the monitor account;`,
    ...(spec.backup ? [` - mariadb-backup installed; ${spec.backup.backup_dir} off the DRBD device (another disk or a remote`,
      `   filesystem on both nodes); ${spec.backup.credentials} (0600 root) holds an account with RELOAD,`,
      '   PROCESS, LOCK TABLES and BINLOG MONITOR;'] : []),
    ...(spec.rabbitmq ? [` - RabbitMQ installed, its unit disabled; ${spec.rabbitmq.cookie_file} identical on both nodes;`] : []),
    ...(spec.services.length > 0 ? [' - the OpenStack services installed with their units disabled, configured to use the VIP;'] : []),
    ...(spec.services.includes('keystone') ? [' - Keystone Fernet keys identical on both nodes (or on the replicated filesystem);'] : []),
    ' - the fence devices below filled in (FILL-IN), and time synchronised.',
  ];
}
