import {XMLParser} from 'fast-xml-parser';

// A resource primitive of the CIB, wherever it sits (group, clone, bundle).
export interface CibPrimitive {
  id: string;
  class: string;
  provider: string;
  type: string;
  params: Record<string, string>;
}

export interface CibFacts {
  // cluster_property_set name/value pairs (stonith-enabled, ...).
  properties: Record<string, string>;
  primitives: CibPrimitive[];
}

type Node = Record<string, unknown>;
const LISTS = new Set(['primitive', 'group', 'clone', 'master', 'bundle', 'nvpair', 'cluster_property_set', 'instance_attributes']);

// The parts of `cibadmin --query` output doctor reads.
export function parseCib(xml: string): CibFacts {
  const parsed = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => LISTS.has(name)}).parse(xml) as Node;
  const cib = (parsed.cib ?? {}) as Node;
  const configuration = (cib.configuration ?? {}) as Node;
  if (!('configuration' in cib)) throw new Error('not a CIB: no <cib><configuration>');
  const nvpairs = (sets: unknown): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const set of (sets as Node[] | undefined) ?? []) {
      for (const pair of (set.nvpair as Node[] | undefined) ?? []) out[String(pair.name)] = String(pair.value ?? '');
    }
    return out;
  };
  const crmConfig = (configuration.crm_config ?? {}) as Node;
  const primitives: CibPrimitive[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'primitive') {
        for (const p of value as Node[]) {
          primitives.push({
            id: String(p.id ?? ''),
            class: String(p.class ?? ''),
            provider: String(p.provider ?? ''),
            type: String(p.type ?? ''),
            params: nvpairs(p.instance_attributes),
          });
        }
      } else if (Array.isArray(value)) value.forEach(visit);
      else visit(value);
    }
  };
  visit(configuration.resources);
  return {properties: nvpairs(crmConfig.cluster_property_set), primitives};
}

// The hacloud agents the CIB runs, by agent name.
export const hacloudPrimitives = (cib: CibFacts): CibPrimitive[] =>
  cib.primitives.filter((p) => p.class === 'ocf' && p.provider === 'hacloud');
