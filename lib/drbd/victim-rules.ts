import {startedAsPrimary, type GenerationIds} from './gi';

// The heuristics that pick a split brain's victim when neither disk states
// nor fencing decided, each comparing one fact of the two nodes. A policy is
// an ordered chain of them; the first that separates the nodes decides.

const known = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

export interface Contender {
  node: string;
  gi: GenerationIds;
  outOfSyncKiB?: number;
  lastPrimaryAt?: number;
}

export type Criterion = 'least-changes' | 'primary-bit' | 'last-promotion' | 'node-name';

type Verdict = {victim: string; survivor: string; text: string} | {tie: string} | {unknown: string};

export type ChainResult =
  | {victim: string; survivor: string; decidedBy: Criterion; reason: string}
  | {unknown: string};

const isoTime = (seconds: number): string => {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000Z', 'Z');
};

// Fewer changed KiB since the split (the node's bitmap weight) loses.
function leastChanges(x: Contender, y: Contender): Verdict {
  if (!known(x.outOfSyncKiB) || !known(y.outOfSyncKiB)) {
    return {unknown: `${known(x.outOfSyncKiB) ? y.node : x.node} published no out-of-sync count`};
  }
  if (x.outOfSyncKiB === y.outOfSyncKiB) return {tie: `${x.node} and ${y.node} both changed ${x.outOfSyncKiB} KiB since the split`};
  const [victim, survivor] = x.outOfSyncKiB < y.outOfSyncKiB ? [x, y] : [y, x];
  return {
    victim: victim.node,
    survivor: survivor.node,
    text: `${victim.node} changed ${victim.outOfSyncKiB} KiB since the split, ${survivor.node} ${survivor.outOfSyncKiB} KiB`,
  };
}

// DRBD's discard-younger-primary: bit 0 of the bitmap UUID is set on the node
// that was Primary when the split began; the other became Primary later.
function primaryBit(x: Contender, y: Contender): Verdict {
  const bx = startedAsPrimary(x.gi.bitmap);
  const by = startedAsPrimary(y.gi.bitmap);
  if (bx === by) {
    return {
      tie: bx
        ? `both bitmap UUIDs have bit 0 set (both were Primary when the split began)`
        : `neither bitmap UUID has bit 0 set (neither was Primary when the split began)`,
    };
  }
  const [victim, survivor] = bx ? [y, x] : [x, y];
  return {
    victim: victim.node,
    survivor: survivor.node,
    text: `${victim.node} became Primary after the split began (bitmap UUID bit 0 clear), ${survivor.node} was Primary when it began (bit 0 set)`,
  };
}

// The node promoted later (as the agent recorded it) is the younger primary.
function lastPromotion(x: Contender, y: Contender): Verdict {
  if (!known(x.lastPrimaryAt) || !known(y.lastPrimaryAt)) {
    return {unknown: `${known(x.lastPrimaryAt) ? y.node : x.node} has no recorded promotion time`};
  }
  if (x.lastPrimaryAt === y.lastPrimaryAt) return {tie: `both were last promoted at ${isoTime(x.lastPrimaryAt)}`};
  const [victim, survivor] = x.lastPrimaryAt > y.lastPrimaryAt ? [x, y] : [y, x];
  return {
    victim: victim.node,
    survivor: survivor.node,
    text: `${victim.node} was last promoted at ${isoTime(victim.lastPrimaryAt as number)}, after ${survivor.node} (${isoTime(survivor.lastPrimaryAt as number)})`,
  };
}

// Final, arbitrary but deterministic: the name that sorts last (plain UTF-16
// code-unit order, no locale) is the victim, so "ctl1" survives "ctl2".
function nodeName(x: Contender, y: Contender): Verdict {
  const [victim, survivor] = x.node > y.node ? [x, y] : [y, x];
  return {victim: victim.node, survivor: survivor.node, text: `nothing else separates them and ${victim.node}'s name sorts last`};
}

const RULES: Record<Criterion, (x: Contender, y: Contender) => Verdict> = {
  'least-changes': leastChanges,
  'primary-bit': primaryBit,
  'last-promotion': lastPromotion,
  'node-name': nodeName,
};

const LABELS: Record<Criterion, string> = {
  'least-changes': 'discard-least-changes',
  'primary-bit': 'discard-younger-primary',
  'last-promotion': 'discard-younger-primary',
  'node-name': 'node-name tie-break',
};

export const CHAINS = {
  'discard-least-changes': ['least-changes', 'primary-bit', 'last-promotion', 'node-name'],
  'discard-younger-primary': ['primary-bit', 'last-promotion', 'least-changes', 'node-name'],
} as const satisfies Record<string, readonly Criterion[]>;

export type ChainPolicy = keyof typeof CHAINS;

// Runs a policy's chain. The policy's own first criterion must be known
// (otherwise the policy cannot be applied: unknown); later ones are skipped
// when a fact is missing. The result does not depend on argument order.
export function runChain(policy: ChainPolicy, a: Contender, b: Contender): ChainResult {
  const [x, y] = a.node <= b.node ? [a, b] : [b, a];
  const chain = CHAINS[policy];
  const ties: string[] = [];
  for (const [index, criterion] of chain.entries()) {
    const verdict = RULES[criterion](x, y);
    if ('unknown' in verdict) {
      if (index === 0) return {unknown: `${verdict.unknown}: ${policy} cannot compare them`};
      continue;
    }
    if ('tie' in verdict) {
      ties.push(verdict.tie);
      continue;
    }
    const decidedBy = LABELS[criterion] === policy ? '' : `, decided by ${LABELS[criterion]}`;
    const facts = [...ties, verdict.text].join('; ');
    return {
      victim: verdict.victim,
      survivor: verdict.survivor,
      decidedBy: criterion,
      reason: `${facts}: ${verdict.victim} is the victim (${policy}${decidedBy})`,
    };
  }
  // Unreachable: node-name always decides for two distinct names.
  return {unknown: `${x.node} and ${y.node} cannot be told apart`};
}
