// Parses `crm_mon --output-as=xml` (Pacemaker 2.1 API 2.x) into a typed
// ClusterStatus, plus small queries over it. Pure: no I/O.
import {XMLParser} from 'fast-xml-parser';

/** A cluster node as crm_mon sees it. */
export interface NodeStatus {
  name: string;
  id: string;
  online: boolean;
  standby: boolean;
  maintenance: boolean;
  pending: boolean;
  unclean: boolean;
  shutdown: boolean;
  isDc: boolean;
  resourcesRunning: number;
}

/** One primitive resource instance (groups, clones and bundles are flattened; `parent` names them). */
export interface ResourceStatus {
  id: string;
  parent?: string;
  agent: string;
  /** Started, Stopped, Promoted, Unpromoted, Starting, Stopping, ... */
  role: string;
  targetRole?: string;
  active: boolean;
  failed: boolean;
  managed: boolean;
  blocked: boolean;
  orphaned: boolean;
  /** Nodes the instance is active on. */
  nodes: string[];
}

/** One recorded operation of a resource on a node (node_history). */
export interface OperationRecord {
  call: number;
  task: string;
  rc: number;
  rcText: string;
  intervalMs: number;
}

/** Per node and resource: fail count and operation history. */
export interface ResourceHistory {
  node: string;
  resource: string;
  failCount: number;
  migrationThreshold?: number;
  operations: OperationRecord[];
}

/** A failed operation (the "Failed Resource Actions" section). */
export interface OpFailure {
  opKey: string;
  node: string;
  resource: string;
  task: string;
  intervalMs: number;
  exitCode: number;
  exitStatus: string;
  exitReason: string;
  status: string;
  call: number;
}

/** The whole of one crm_mon snapshot. */
export interface ClusterStatus {
  /** pacemakerd's state, e.g. 'running', 'shutting_down'; undefined if not reported. */
  pacemakerd?: string;
  dc: string | null;
  quorum: boolean;
  stonithEnabled?: boolean;
  nodes: NodeStatus[];
  resources: ResourceStatus[];
  history: ResourceHistory[];
  failures: OpFailure[];
}

type El = Record<string, unknown>;

const ARRAY_TAGS = new Set(['node', 'resource', 'group', 'clone', 'bundle', 'replica',
  'resource_history', 'operation_history', 'failure']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name, _jpath, _isLeaf, isAttribute) => !isAttribute && ARRAY_TAGS.has(name),
});

// Parses crm_mon XML; throws if it is not a <pacemaker-result> document.
export function parseCrmMon(xml: string): ClusterStatus {
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc['pacemaker-result'] as El | undefined;
  if (!root || typeof root !== 'object') throw new Error(`not crm_mon XML: ${xml.slice(0, 200)}`);
  const summary = el(root.summary);
  const dcEl = el(summary?.current_dc);
  const dcPresent = a(dcEl, 'present') === 'true';
  const opts = el(summary?.cluster_options);
  return {
    pacemakerd: a(el(root.pacemakerd), 'state'),
    dc: dcPresent ? a(dcEl, 'name') ?? null : null,
    quorum: dcPresent && a(dcEl, 'with_quorum') === 'true',
    stonithEnabled: a(opts, 'stonith-enabled') === undefined ? undefined : a(opts, 'stonith-enabled') === 'true',
    nodes: list(el(root.nodes)?.node).map(parseNode),
    resources: flattenResources(el(root.resources) ?? {}, undefined),
    history: list(el(root.node_history)?.node).flatMap(parseNodeHistory),
    failures: list(el(root.failures)?.failure).map(parseFailure),
  };
}

// The instances of a resource id (several for clones); [] if not configured.
export function resourcesById(s: ClusterStatus, id: string): ResourceStatus[] {
  return s.resources.filter((r) => r.id === id || r.id.startsWith(`${id}:`));
}

// The single instance of a primitive, or undefined when it is not configured.
export function findResource(s: ClusterStatus, id: string): ResourceStatus | undefined {
  return resourcesById(s, id)[0];
}

// Whether the resource is active (Started/Promoted/Unpromoted) on the node.
export function isStartedOn(s: ClusterStatus, id: string, node: string): boolean {
  return resourcesById(s, id).some((r) => r.active && !r.failed && r.nodes.includes(node)
    && ['Started', 'Promoted', 'Unpromoted', 'Master', 'Slave'].includes(r.role));
}

// Sum of the resource's fail counts (on one node, or all nodes).
export function failCount(s: ClusterStatus, id: string, node?: string): number {
  return s.history
    .filter((h) => h.resource === id && (node === undefined || h.node === node))
    .reduce((n, h) => n + h.failCount, 0);
}

// Failed operations of a resource (optionally only one task, e.g. 'monitor').
export function failuresOf(s: ClusterStatus, id: string, task?: string): OpFailure[] {
  return s.failures.filter((f) => f.resource === id && (task === undefined || f.task === task));
}

// A description of the resource's failed start (for waitFor's failIf), or undefined.
export function startFailure(s: ClusterStatus, id: string): string | undefined {
  const f = failuresOf(s, id, 'start')[0];
  return f && `${id} failed to start on ${f.node}: ${f.exitStatus} (${f.exitCode}) ${f.exitReason}`.trimEnd();
}

// A compact human-readable rendering for error messages.
export function formatStatus(s: ClusterStatus): string {
  const lines = [`DC: ${s.dc ?? 'NONE'}${s.quorum ? ' (quorum)' : ' (NO quorum)'}; pacemakerd: ${s.pacemakerd ?? '?'}`];
  for (const n of s.nodes) {
    const flags = (['online', 'standby', 'maintenance', 'pending', 'unclean', 'shutdown', 'isDc'] as const)
      .filter((k) => n[k]).join(',');
    lines.push(`node ${n.name}: ${flags || 'offline'}`);
  }
  for (const r of s.resources) {
    lines.push(`resource ${r.parent ? `${r.parent}/` : ''}${r.id} (${r.agent}): ${r.role}`
      + `${r.failed ? ' FAILED' : ''}${r.blocked ? ' BLOCKED' : ''}${r.managed ? '' : ' unmanaged'}`
      + `${r.nodes.length ? ` on ${r.nodes.join(',')}` : ''}`);
  }
  for (const h of s.history.filter((x) => x.failCount > 0)) {
    lines.push(`fail-count ${h.resource}@${h.node}: ${h.failCount}`);
  }
  for (const f of s.failures) {
    lines.push(`failed ${f.opKey} on ${f.node}: ${f.exitStatus} (${f.exitCode}) ${f.exitReason}`.trimEnd());
  }
  return lines.join('\n');
}

function parseNode(n: El): NodeStatus {
  return {
    name: a(n, 'name') ?? '',
    id: a(n, 'id') ?? '',
    online: bool(a(n, 'online')),
    standby: bool(a(n, 'standby')),
    maintenance: bool(a(n, 'maintenance')),
    pending: bool(a(n, 'pending')),
    unclean: bool(a(n, 'unclean')),
    shutdown: bool(a(n, 'shutdown')),
    isDc: bool(a(n, 'is_dc')),
    resourcesRunning: num(a(n, 'resources_running')),
  };
}

// Walks <resources>: primitives directly, inside groups, clones and bundle replicas.
function flattenResources(container: El, parent: string | undefined): ResourceStatus[] {
  const out: ResourceStatus[] = [];
  for (const r of list(container.resource)) out.push(parsePrimitive(r, parent));
  for (const g of list(container.group)) out.push(...flattenResources(g, a(g, 'id') ?? parent));
  for (const c of list(container.clone)) out.push(...flattenResources(c, a(c, 'id') ?? parent));
  for (const b of list(container.bundle)) {
    for (const rep of list(b.replica)) out.push(...flattenResources(rep, a(b, 'id') ?? parent));
  }
  return out;
}

function parsePrimitive(r: El, parent: string | undefined): ResourceStatus {
  return {
    id: a(r, 'id') ?? '',
    ...(parent === undefined ? {} : {parent}),
    agent: a(r, 'resource_agent') ?? '',
    role: a(r, 'role') ?? '',
    ...(a(r, 'target_role') === undefined ? {} : {targetRole: a(r, 'target_role')}),
    active: bool(a(r, 'active')),
    failed: bool(a(r, 'failed')),
    managed: a(r, 'managed') === undefined ? true : bool(a(r, 'managed')),
    blocked: bool(a(r, 'blocked')),
    orphaned: bool(a(r, 'orphaned')),
    nodes: list(r.node).map((n) => a(n, 'name') ?? ''),
  };
}

function parseNodeHistory(n: El): ResourceHistory[] {
  return list(n.resource_history).map((h) => ({
    node: a(n, 'name') ?? '',
    resource: a(h, 'id') ?? '',
    failCount: failCountValue(a(h, 'fail-count')),
    ...(a(h, 'migration-threshold') === undefined ? {} : {migrationThreshold: num(a(h, 'migration-threshold'))}),
    operations: list(h.operation_history).map((o) => ({
      call: num(a(o, 'call')),
      task: a(o, 'task') ?? '',
      rc: num(a(o, 'rc')),
      rcText: a(o, 'rc_text') ?? '',
      intervalMs: num(a(o, 'interval')),
    })),
  }));
}

function parseFailure(f: El): OpFailure {
  const opKey = a(f, 'op_key') ?? '';
  const task = a(f, 'task') ?? '';
  const intervalMs = num(a(f, 'interval'));
  // op_key is <rsc>_<task>_<interval>; the resource id may itself contain '_'.
  const suffix = `_${task}_${intervalMs}`;
  return {
    opKey,
    node: a(f, 'node') ?? '',
    resource: opKey.endsWith(suffix) ? opKey.slice(0, -suffix.length) : opKey.replace(/_[^_]+_\d+$/, ''),
    task,
    intervalMs,
    exitCode: num(a(f, 'exitcode')),
    exitStatus: a(f, 'exitstatus') ?? '',
    exitReason: a(f, 'exitreason') ?? '',
    status: a(f, 'status') ?? '',
    call: num(a(f, 'call')),
  };
}

function el(v: unknown): El | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v as El : undefined;
}

function list(v: unknown): El[] {
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is El => x !== null && typeof x === 'object');
}

// A string attribute of a parsed element (undefined when absent).
function a(e: El | undefined, name: string): string | undefined {
  const v = e?.[name];
  return typeof v === 'string' ? v : undefined;
}

function bool(v: string | undefined): boolean {
  return v === 'true';
}

// Parses "5000", "5000ms" and "44ms" style numbers; NaN-safe (0).
function num(v: string | undefined): number {
  const n = parseInt(v ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

// crm_mon prints INFINITY for a fail count at the limit.
function failCountValue(v: string | undefined): number {
  return v !== undefined && /^\+?INFINITY$/i.test(v) ? 1_000_000 : num(v);
}
