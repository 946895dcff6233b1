// What this node's view of the RabbitMQ cluster means for its monitor: pure,
// fed either by the management API (/api/nodes) or rabbitmqctl cluster_status.

export interface ClusterView {
  // This node's Erlang name.
  self: string;
  // Every member of the cluster (disc and RAM nodes).
  members: readonly string[];
  // The members this node sees running (itself included).
  running: readonly string[];
  // Nodes this node reports a partition with (empty: none).
  partitionedWith: readonly string[];
}

export type PartitionVerdict =
  | {kind: 'healthy'}
  // Partitioned, but on the side that keeps running: a warning.
  | {kind: 'majority'; detail: string}
  // Partitioned on the losing side: fail the monitor so Pacemaker restarts this node, which then re-syncs.
  | {kind: 'minority'; detail: string};

// A partitioned node is on the losing side when it sees fewer than half the
// members running (resource-agents PR #1249 compares the same way); on an
// exact half (two nodes, one each side) the side without the first member
// in name order loses, so exactly one side restarts and the cluster heals.
export function partitionVerdict(view: ClusterView): PartitionVerdict {
  if (view.partitionedWith.length === 0) return {kind: 'healthy'};
  const members = [...new Set([...view.members, view.self])].sort();
  const running = new Set([...view.running.filter((n) => members.includes(n)), view.self]);
  const detail = `partitioned from ${view.partitionedWith.join(', ')}; sees ${running.size} of ${members.length} members running`;
  if (running.size * 2 > members.length) return {kind: 'majority', detail};
  if (running.size * 2 < members.length) return {kind: 'minority', detail};
  return running.has(members[0] as string) ? {kind: 'majority', detail: `${detail} (tie: keeps ${members[0]})`} : {kind: 'minority', detail: `${detail} (tie: ${members[0]} side keeps running)`};
}

interface StatusJson {
  disk_nodes?: string[];
  ram_nodes?: string[];
  running_nodes?: string[];
  partitions?: Record<string, string[]>;
}

// `rabbitmqctl cluster_status --formatter json` of this node.
export function viewFromClusterStatus(self: string, text: string): ClusterView {
  const status = JSON.parse(text) as StatusJson;
  return {
    self,
    members: [...(status.disk_nodes ?? []), ...(status.ram_nodes ?? [])],
    running: status.running_nodes ?? [],
    partitionedWith: status.partitions?.[self] ?? [],
  };
}

interface ApiNode {
  name?: string;
  running?: boolean;
  partitions?: string[];
}

// GET /api/nodes of the management plugin, asked from this node.
export function viewFromApiNodes(self: string, text: string): ClusterView {
  const nodes = JSON.parse(text) as ApiNode[];
  const names = nodes.map((n) => n.name).filter((n): n is string => typeof n === 'string');
  return {
    self,
    members: names,
    running: nodes.filter((n) => n.running && n.name).map((n) => n.name as string),
    partitionedWith: nodes.find((n) => n.name === self)?.partitions ?? [],
  };
}
