import type {Operation} from '../ocf/operations';

// A primitive resource as the crmsh and pcs writers take it.
export interface PrimitiveSpec {
  id: string;
  // class:provider:type, e.g. ocf:hacloud:vip or stonith:fence_ipmilan.
  agent: string;
  params: readonly (readonly [string, string])[];
  ops: readonly Operation[];
  meta?: readonly (readonly [string, string])[];
}

// A crmsh value: bare when it is one plain word, otherwise double-quoted.
export function crmValue(value: string): string {
  return /^[\w./:@%+,=-]+$/.test(value) ? value : `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

// A word for sh: bare when safe, otherwise single-quoted.
export function shellWord(value: string): string {
  return /^[\w./:@%+,=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const pairs = (list: readonly (readonly [string, string])[], quote: (v: string) => string): string =>
  list.map(([name, value]) => `${name}=${quote(value)}`).join(' ');

// The attributes of an op after its name, as the example files write them.
function opAttributes(op: Operation): string[] {
  const words: string[] = [];
  if (op.name === 'monitor') {
    if (op.role) words.push(`role=${op.role}`);
    words.push(`interval=${op.interval}s`, `timeout=${op.timeout}s`);
    if (op.depth) words.push(`OCF_CHECK_LEVEL=${op.depth}`);
  } else {
    words.push(`timeout=${op.timeout}s`, `interval=${op.interval}s`);
  }
  return words;
}

// `primitive ID AGENT params ... meta ... op ...` with continuation lines.
export function crmPrimitive(p: PrimitiveSpec): string {
  const lines = [`primitive ${p.id} ${p.agent}`];
  if (p.params.length > 0) lines.push(`\tparams ${pairs(p.params, crmValue)}`);
  if (p.meta && p.meta.length > 0) lines.push(`\tmeta ${pairs(p.meta, crmValue)}`);
  for (const op of p.ops) lines.push(`\top ${op.name} ${opAttributes(op).join(' ')}`);
  return lines.join(' \\\n');
}

// `pcs -f "$CIB" resource create ...` for the same primitive; `tail` holds
// what follows the operations (`--group g`, `promotable ID meta...`).
export function pcsResourceCreate(p: PrimitiveSpec, tail: readonly string[] = []): string {
  const kind = p.agent.startsWith('stonith:') ? 'stonith' : 'resource';
  const lines = [`pcs -f "$CIB" ${kind} create ${p.id} ${p.agent.replace(/^stonith:/, '')}${kind === 'resource' ? ' --no-default-ops' : ''}`];
  if (p.params.length > 0) lines.push(`  ${pairs(p.params, shellWord)}`);
  for (const op of p.ops) lines.push(`  op ${op.name} ${opAttributes(op).join(' ')}`);
  if (p.meta && p.meta.length > 0) lines.push(`  meta ${pairs(p.meta, shellWord)}`);
  lines.push(...tail.map((t) => `  ${t}`));
  return lines.join(' \\\n');
}
