// How a split brain is resolved (parameter split_brain_policy). The automatic
// policies mirror DRBD's after-sb-0pri options (reference/drbd.md §2.2).
export type SplitBrainPolicy =
  | {kind: 'discard-least-changes'}
  | {kind: 'discard-younger-primary'}
  | {kind: 'discard-node'; node: string}
  | {kind: 'manual'};

// "discard-least-changes", "discard-younger-primary", "manual" or
// "discard-node:<name>" (DRBD's own spelling "discard-node-<name>" too);
// undefined for anything else.
export function parseSplitBrainPolicy(text: string): SplitBrainPolicy | undefined {
  const value = String(text ?? '').trim();
  if (value === 'discard-least-changes' || value === 'discard-younger-primary' || value === 'manual') {
    return {kind: value};
  }
  const node = /^discard-node[:-](\S+)$/.exec(value)?.[1];
  return node ? {kind: 'discard-node', node} : undefined;
}

// The policy as the parameter spells it.
export const formatSplitBrainPolicy = (policy: SplitBrainPolicy): string =>
  policy.kind === 'discard-node' ? `discard-node:${policy.node}` : policy.kind;
