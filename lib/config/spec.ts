import {ipFamily} from '../sys/net/ip-address';

// The short description of a controller pair that `hacloud config` expands
// into a whole cluster configuration (YAML or JSON, or flags).
export interface NodeSpec {
  name: string;
  // The ring address corosync uses (shown in the corosync.conf reminder).
  address: string;
  // The fence device's parameters; missing ones become FILL-IN placeholders.
  fence: Record<string, string>;
}

export interface ControllerSpec {
  nodes: [NodeSpec, NodeSpec];
  vip: {ip: string; cidr_netmask?: string; nic?: string};
  drbd: {resource: string; device: string; directory: string; fstype: string; options: string};
  mysql: {credentials: string};
  // undefined: no RabbitMQ resource.
  rabbitmq?: {cookie_file: string; check_user?: string; check_password_file?: string};
  // OpenStack service agents, in the order given.
  services: string[];
  openstack: {credentials?: string};
  fencing: {agent: string};
  // undefined (backup: false): no backup schedule.
  backup?: {backup_dir: string; credentials: string; full_interval: string; differential_interval: string};
}

// Bad input: every problem found, one a line.
export class SpecError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SpecError';
  }
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

// Checks and completes a parsed description; `knownServices` are the
// OpenStack agents the binary serves. Throws SpecError listing every problem.
export function parseSpec(input: unknown, knownServices: readonly string[]): ControllerSpec {
  const problems: string[] = [];
  const raw: Raw = isObject(input) ? input : (problems.push('the description must be a mapping (YAML or JSON object)'), {});
  const section = (key: string): Raw => {
    const value = raw[key];
    if (value === undefined || value === null) return {};
    if (isObject(value)) return value;
    problems.push(`${key}: must be a mapping`);
    return {};
  };
  const text = (where: string, value: unknown, fallback?: string): string => {
    if (value === undefined || value === null || value === '') {
      if (fallback !== undefined) return fallback;
      problems.push(`${where}: missing`);
      return '';
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      problems.push(`${where}: must be a string, not ${typeof value}`);
      return '';
    }
    return String(value);
  };
  const absolute = (where: string, value: string): string => {
    if (value && !value.startsWith('/')) problems.push(`${where}: ${JSON.stringify(value)} is not an absolute path`);
    return value;
  };
  const known = new Set(Object.keys(raw));
  for (const key of ['nodes', 'vip', 'drbd', 'mysql', 'rabbitmq', 'services', 'openstack', 'fencing', 'backup']) known.delete(key);
  for (const key of known) problems.push(`${key}: unknown setting`);

  // Nodes: exactly two.
  const rawNodes = Array.isArray(raw.nodes) ? raw.nodes : [];
  if (rawNodes.length !== 2) problems.push(`nodes: a controller pair has exactly two nodes (got ${rawNodes.length})`);
  const nodes = [0, 1].map((i): NodeSpec => {
    const n = isObject(rawNodes[i]) ? rawNodes[i] : {};
    const name = text(`nodes[${i}].name`, n.name);
    if (name && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) problems.push(`nodes[${i}].name: ${JSON.stringify(name)} is not a node name`);
    const address = text(`nodes[${i}].address`, n.address);
    if (address && !ipFamily(address)) problems.push(`nodes[${i}].address: ${JSON.stringify(address)} is not an IP address`);
    const fence: Record<string, string> = {};
    if (n.fence !== undefined) {
      if (!isObject(n.fence)) problems.push(`nodes[${i}].fence: must be a mapping of fence agent parameters`);
      else for (const [k, v] of Object.entries(n.fence)) fence[k] = text(`nodes[${i}].fence.${k}`, v);
    }
    return {name, address, fence};
  }) as [NodeSpec, NodeSpec];
  if (nodes[0].name && nodes[0].name === nodes[1].name) problems.push('nodes: the two names must differ');

  // VIP: "ip/prefix" or {ip, cidr_netmask, nic}.
  let vip: ControllerSpec['vip'] = {ip: ''};
  if (typeof raw.vip === 'string') {
    const [ip = '', prefix] = raw.vip.split('/');
    vip = {ip, ...(prefix ? {cidr_netmask: prefix} : {})};
  } else if (isObject(raw.vip)) {
    vip = {ip: text('vip.ip', raw.vip.ip)};
    if (raw.vip.cidr_netmask !== undefined) vip.cidr_netmask = text('vip.cidr_netmask', raw.vip.cidr_netmask);
    if (raw.vip.nic !== undefined) vip.nic = text('vip.nic', raw.vip.nic);
  } else {
    problems.push('vip: missing (e.g. 203.0.113.10/24)');
  }
  if (vip.ip && !ipFamily(vip.ip)) problems.push(`vip: ${JSON.stringify(vip.ip)} is not an IP address`);
  if (vip.cidr_netmask !== undefined && !/^\d{1,3}$/.test(vip.cidr_netmask)) problems.push(`vip: prefix length ${JSON.stringify(vip.cidr_netmask)} is not a number`);

  const d = section('drbd');
  const drbd = {
    resource: text('drbd.resource', d.resource, 'r0'),
    device: absolute('drbd.device', text('drbd.device', d.device, '/dev/drbd0')),
    directory: absolute('drbd.directory', text('drbd.directory', d.directory, '/var/lib/mysql')),
    fstype: text('drbd.fstype', d.fstype, 'ext4'),
    options: text('drbd.options', d.options, 'noatime'),
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(drbd.resource)) problems.push(`drbd.resource: ${JSON.stringify(drbd.resource)} is not a DRBD resource name`);

  const m = section('mysql');
  const mysql = {credentials: absolute('mysql.credentials', text('mysql.credentials', m.credentials, '/etc/hacloud/mysql-monitor.cnf'))};

  let rabbitmq: ControllerSpec['rabbitmq'];
  if (raw.rabbitmq !== false && raw.rabbitmq !== undefined) {
    const r = raw.rabbitmq === true ? {} : section('rabbitmq');
    rabbitmq = {cookie_file: absolute('rabbitmq.cookie_file', text('rabbitmq.cookie_file', r.cookie_file, '/etc/hacloud/rabbitmq.cookie'))};
    if (r.check_user !== undefined) rabbitmq.check_user = text('rabbitmq.check_user', r.check_user);
    if (r.check_password_file !== undefined) rabbitmq.check_password_file = absolute('rabbitmq.check_password_file', text('rabbitmq.check_password_file', r.check_password_file));
    if ((rabbitmq.check_user === undefined) !== (rabbitmq.check_password_file === undefined)) {
      problems.push('rabbitmq: check_user and check_password_file go together');
    }
  }

  const services: string[] = [];
  if (raw.services !== undefined) {
    if (!Array.isArray(raw.services)) problems.push('services: must be a list of OpenStack service agents');
    else {
      for (const s of raw.services) {
        const name = String(s);
        if (!knownServices.includes(name)) problems.push(`services: no agent ${JSON.stringify(name)} (known: ${knownServices.join(', ')})`);
        else if (services.includes(name)) problems.push(`services: ${name} listed twice`);
        else services.push(name);
      }
    }
  }
  if (services.length > 0 && !rabbitmq && services.some((s) => s !== 'keystone' && s !== 'horizon')) {
    problems.push('services: the OpenStack services need a message broker: add rabbitmq');
  }
  const o = section('openstack');
  const openstack = o.credentials === undefined ? {} : {credentials: absolute('openstack.credentials', text('openstack.credentials', o.credentials))};
  const f = section('fencing');
  const fencing = {agent: text('fencing.agent', f.agent, 'fence_ipmilan')};

  // Backups are part of the controller unless turned off (backup: false).
  let backup: ControllerSpec['backup'];
  if (raw.backup !== false) {
    const b = raw.backup === undefined || raw.backup === true ? {} : section('backup');
    backup = {
      backup_dir: absolute('backup.backup_dir', text('backup.backup_dir', b.backup_dir, '/srv/backup/mysql')),
      credentials: absolute('backup.credentials', text('backup.credentials', b.credentials, '/etc/hacloud/mysql-backup.cnf')),
      full_interval: text('backup.full_interval', b.full_interval, '24h'),
      differential_interval: text('backup.differential_interval', b.differential_interval, '1h'),
    };
  }

  if (problems.length > 0) throw new SpecError(problems);
  return {nodes, vip, drbd, mysql, ...(rabbitmq ? {rabbitmq} : {}), services, openstack, fencing, ...(backup ? {backup} : {})};
}
