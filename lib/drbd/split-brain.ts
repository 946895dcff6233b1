import {compareGenerations, type GenerationComparison} from './generations';
import {formatUuids, type GenerationIds} from './gi';
import {isUsableDisk} from './names';
import {parseSplitBrainPolicy, formatSplitBrainPolicy, type SplitBrainPolicy} from './split-brain-policy';
import type {ConnectionState, DiskState, Role} from './types';
import {runChain, type Contender} from './victim-rules';

export {parseSplitBrainPolicy, formatSplitBrainPolicy, type SplitBrainPolicy};

// The split-brain decision (DESIGN.md §5, reference/drbd.md §4): from the
// facts both nodes published, is this a split brain, and which node keeps
// its data? Pure and symmetric: both nodes run it on the same facts and
// reach the same answer whichever of them is `a`.
//
// Order of the rules, first match wins:
//  1. the facts must be about two nodes (else undecided); both Connected:
//     no split brain;
//  2. the facts must be fresh (publishedAt within maxFactAgeSeconds of now)
//     and not contradict each other (one side Connected, the other not),
//     else undecided;
//  3. both generation-identifier tuples are needed; DRBD's rule table decides:
//     unrelated data → refuse; diverged from a common ancestor (rule 90:
//     equal bitmap UUIDs; rule 100: a common history UUID) → split brain;
//     anything else → none, even with a split-brain marker (the marker is then
//     stale: the data no longer diverges). StandAlone alone proves nothing;
//  4. a node without usable data (disk not UpToDate/Consistent) never
//     survives one with usable data; neither usable → refuse;
//  5. fencing already in the CIB: a node fenced since the split loses; the
//     node a drbd-fence-by-handler constraint pins the promoted role to
//     survives; fencing that contradicts rule 4 or itself → refuse;
//  6. the policy: discard-node:<name>, or a heuristic chain
//     (discard-least-changes: changed KiB, then younger primary, then last
//     promotion time, then name; discard-younger-primary: bitmap bit 0,
//     last promotion time, changed KiB, name), or manual (report only).

export interface NodeFacts {
  node: string;
  gi?: GenerationIds;
  // KiB this node changed since the split (its out-of-sync count while disconnected).
  outOfSyncKiB?: number;
  role?: Role;
  connection?: ConnectionState;
  disk?: DiskState;
  // The split-brain handler fired on this node and nothing cleared it yet.
  splitBrainMarker?: boolean;
  // When the agent last promoted this node (epoch seconds).
  lastPrimaryAt?: number;
  // When these facts were read (epoch seconds).
  publishedAt?: number;
  // When the change counts and promotion time were frozen at the split
  // (epoch seconds); absent while they are live.
  frozenAt?: number;
}

export interface FencingFacts {
  // The node a drbd-fence-by-handler-* constraint pins the promoted role to.
  masterAllowedOnlyOn?: string;
  // Nodes fenced (STONITH) since the split.
  fencedNodes?: string[];
}

export type SplitBrainBasis = 'disk-state' | 'fencing' | 'least-changes' | 'younger-primary' | 'node-preference' | 'node-name';

export type SplitBrainDecision =
  // No split brain: connected, or the generations do not diverge (admin disconnect, plain outage).
  | {kind: 'none'; reason: string}
  // Looks split, but facts are missing, stale or contradictory: take no action.
  | {kind: 'undecided'; reason: string}
  // Unrelated data or contradictory authorities: never act automatically.
  | {kind: 'refuse'; reason: string}
  // Policy manual: detect and report only; `survivor` is what the rules would keep.
  | {kind: 'manual'; reason: string; survivor?: string}
  | {kind: 'resolved'; survivor: string; victim: string; reason: string; basis: SplitBrainBasis};

export interface SplitBrainInput {
  a: NodeFacts;
  b: NodeFacts;
  policy: SplitBrainPolicy;
  fencing?: FencingFacts;
  // Epoch seconds.
  now: number;
  maxFactAgeSeconds?: number;
}

// Facts older than this are not acted on (two monitor intervals of the
// Slave role and then some).
export const DEFAULT_MAX_FACT_AGE_SECONDS = 120;

type Pick = {survivor: string; victim: string; basis: SplitBrainBasis; reason: string};
// A pick by an authority (disk states, fencing): `fact` is the reason without its conclusion.
type Forced = Pick & {fact: string};

// Decides; never throws.
export function decideSplitBrain(input: SplitBrainInput): SplitBrainDecision {
  const {a, b, policy, fencing = {}, now} = input;
  const maxAge = input.maxFactAgeSeconds ?? DEFAULT_MAX_FACT_AGE_SECONDS;
  if (a.node === b.node) return {kind: 'undecided', reason: `both fact sets are from ${a.node}`};
  // Canonical order: nothing below may depend on which node is `a`.
  const [x, y] = a.node < b.node ? [a, b] : [b, a];

  const connectedCount = [x, y].filter((f) => f.connection === 'Connected').length;
  if (connectedCount === 2) return {kind: 'none', reason: `${x.node} and ${y.node} are connected`};
  const stale = staleness(x, now, maxAge) ?? staleness(y, now, maxAge);
  if (stale) return {kind: 'undecided', reason: stale};
  if (connectedCount === 1) {
    const [on, off] = x.connection === 'Connected' ? [x, y] : [y, x];
    return {
      kind: 'undecided',
      reason: `${on.node} reports Connected but ${off.node} reports ${off.connection ?? 'no connection state'}: the facts are from different moments`,
    };
  }

  const marked = [x, y].filter((f) => f.splitBrainMarker).map((f) => f.node);
  if (!x.gi || !y.gi) {
    const missing = !x.gi ? x : y;
    return {
      kind: 'undecided',
      reason: marked.length
        ? `${marked.join(' and ')} recorded a split brain, but ${missing.node}'s generation identifiers are unknown`
        : `${missing.node}'s generation identifiers are unknown: a split brain cannot be told from a plain disconnect`,
    };
  }
  const comparison = compareGenerations(x.gi, y.gi);
  const generations = `${x.node} ${formatUuids(x.gi)}, ${y.node} ${formatUuids(y.gi)}`;
  if (comparison.relation === 'unrelated') {
    return {kind: 'refuse', reason: `${x.node} and ${y.node} share no data generation (${generations}): unrelated data, never discarded automatically`};
  }
  if (comparison.relation !== 'split-brain-bitmap' && comparison.relation !== 'split-brain-history') {
    const staleMarker = marked.length ? `; the split-brain marker on ${marked.join(' and ')} is stale` : '';
    return {kind: 'none', reason: `${describeRelation(comparison, x.node, y.node)} (rule ${comparison.rule}): the data does not diverge${staleMarker}`};
  }
  const evidence =
    `${x.node} and ${y.node} diverged from a common ${comparison.relation === 'split-brain-bitmap' ? 'bitmap UUID (rule 90)' : 'history UUID (rule 100)'}` +
    (marked.length ? ` and the split-brain handler fired on ${marked.join(' and ')}` : '');

  const forced = forcedByDisks(x, y);
  if (forced && 'refuse' in forced) return {kind: 'refuse', reason: `${evidence}; ${forced.refuse}`};
  const fenced = forcedByFencing(x, y, fencing);
  if (fenced && 'refuse' in fenced) return {kind: 'refuse', reason: `${evidence}; ${fenced.refuse}`};
  if (fenced && 'undecided' in fenced) return {kind: 'undecided', reason: `${evidence}; ${fenced.undecided}`};
  if (forced && fenced && forced.survivor !== fenced.survivor) {
    return {kind: 'refuse', reason: `${evidence}; ${forced.fact}, but ${fenced.fact}: disk states and fencing disagree`};
  }
  const authority = forced ?? fenced;

  if (policy.kind === 'manual') {
    const pick = authority ?? heuristic('discard-least-changes', x, y);
    if ('undecided' in pick) return {kind: 'manual', reason: `split brain (${evidence}); policy manual: no automatic recovery (${pick.undecided})`};
    return {
      kind: 'manual',
      survivor: pick.survivor,
      reason: `split brain (${evidence}); policy manual: no automatic recovery; the automatic rules would keep ${pick.survivor} and discard ${pick.victim}: ${pick.reason}`,
    };
  }
  if (authority) return resolved(evidence, authority);
  if (policy.kind === 'discard-node') {
    if (policy.node !== x.node && policy.node !== y.node) {
      return {kind: 'undecided', reason: `${evidence}; ${formatSplitBrainPolicy(policy)} names neither ${x.node} nor ${y.node}`};
    }
    return resolved(evidence, {
      survivor: policy.node === x.node ? y.node : x.node,
      victim: policy.node,
      basis: 'node-preference',
      reason: `the policy names ${policy.node} as the side to discard: ${policy.node} is the victim (${formatSplitBrainPolicy(policy)})`,
    });
  }
  const pick = heuristic(policy.kind, x, y);
  if ('undecided' in pick) return {kind: 'undecided', reason: `${evidence}; ${pick.undecided}`};
  return resolved(evidence, pick);
}

const resolved = (evidence: string, pick: Pick): SplitBrainDecision => ({
  kind: 'resolved',
  survivor: pick.survivor,
  victim: pick.victim,
  basis: pick.basis,
  reason: `${evidence}; ${pick.reason}`,
});

// Why facts cannot be trusted now, or undefined when they can.
function staleness(facts: NodeFacts, now: number, maxAge: number): string | undefined {
  if (facts.publishedAt === undefined || !Number.isFinite(facts.publishedAt)) return `no dated facts from ${facts.node}`;
  const age = now - facts.publishedAt;
  if (age > maxAge) return `${facts.node}'s facts are ${age} s old (limit ${maxAge} s)`;
  if (-age > maxAge) return `${facts.node}'s facts are dated ${-age} s in the future (clock skew?)`;
  return undefined;
}

function describeRelation(comparison: GenerationComparison, x: string, y: string): string {
  switch (comparison.relation) {
    case 'equal':
      return `${x} and ${y} hold the same data generation`;
    case 'local-ahead':
      return `${x}'s data is ahead of ${y}'s`;
    case 'peer-ahead':
      return `${y}'s data is ahead of ${x}'s`;
    case 'just-created':
      return `${x} and ${y} are both just created`;
    default:
      return `${x} and ${y}: ${comparison.relation}`;
  }
}

// Rule 4: usable data outranks everything that could pick the other side.
function forcedByDisks(x: NodeFacts, y: NodeFacts): Forced | {refuse: string} | undefined {
  const usable = (f: NodeFacts) => (f.disk === undefined ? undefined : isUsableDisk(f.disk));
  const ux = usable(x);
  const uy = usable(y);
  if (ux === false && uy === false) {
    return {refuse: `neither ${x.node} (${x.disk}) nor ${y.node} (${y.disk}) has usable data`};
  }
  if (ux === false || uy === false) {
    const [victim, survivor] = ux === false ? [x, y] : [y, x];
    const fact = `${victim.node}'s disk is ${victim.disk}, ${survivor.node}'s ${survivor.disk ?? 'not reported'}`;
    return {
      survivor: survivor.node,
      victim: victim.node,
      basis: 'disk-state',
      fact,
      reason: `${fact}: ${victim.node} is the victim (only UpToDate or Consistent data survives)`,
    };
  }
  return undefined;
}

// Rule 5: a fencing decision already taken outranks the heuristics.
function forcedByFencing(x: NodeFacts, y: NodeFacts, fencing: FencingFacts): Forced | {refuse: string} | {undecided: string} | undefined {
  const nodes = [x.node, y.node];
  const fenced = [...new Set((fencing.fencedNodes ?? []).filter((n) => nodes.includes(n)))];
  const pinned = fencing.masterAllowedOnlyOn;
  if (pinned !== undefined && !nodes.includes(pinned)) {
    return {undecided: `a fence constraint pins the promoted role to ${pinned}, which is neither ${x.node} nor ${y.node}`};
  }
  const forced = (survivor: string, fact: string): Forced => {
    const victim = nodes.find((n) => n !== survivor) as string;
    return {survivor, victim, basis: 'fencing', fact, reason: `${fact}: ${victim} is the victim (fencing)`};
  };
  // Both fenced: fencing tells nothing about whose data is better.
  const byFence =
    fenced.length === 1 ? forced(nodes.find((n) => n !== fenced[0]) as string, `${fenced[0]} was fenced since the split`) : undefined;
  const byConstraint =
    pinned !== undefined ? forced(pinned, `a drbd-fence-by-handler constraint allows the promoted role only on ${pinned}`) : undefined;
  if (byFence && byConstraint && byFence.survivor !== byConstraint.survivor) {
    return {refuse: `${byFence.fact}, but ${byConstraint.fact}: the fencing facts disagree`};
  }
  return byConstraint ?? byFence;
}

// Rule 6: a policy's heuristic chain.
function heuristic(policy: 'discard-least-changes' | 'discard-younger-primary', x: NodeFacts, y: NodeFacts): Pick | {undecided: string} {
  const contender = (f: NodeFacts): Contender => ({
    node: f.node,
    gi: f.gi as GenerationIds,
    ...(f.outOfSyncKiB !== undefined ? {outOfSyncKiB: f.outOfSyncKiB} : {}),
    ...(f.lastPrimaryAt !== undefined ? {lastPrimaryAt: f.lastPrimaryAt} : {}),
  });
  const result = runChain(policy, contender(x), contender(y));
  if ('unknown' in result) return {undecided: result.unknown};
  const basis: SplitBrainBasis =
    result.decidedBy === 'least-changes' ? 'least-changes' : result.decidedBy === 'node-name' ? 'node-name' : 'younger-primary';
  return {survivor: result.survivor, victim: result.victim, basis, reason: result.reason};
}
