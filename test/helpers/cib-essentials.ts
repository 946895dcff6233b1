// What matters of a CIB's configuration, free of generated ids and
// spellings (crmsh and pcs write the same configuration differently).
import {XMLParser} from 'fast-xml-parser';

type Xml = Record<string, unknown>;
const list = (value: unknown): Xml[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]) as Xml[];

// "29s", "1m", "0" → seconds.
const seconds = (value: unknown): number => {
  const m = /^(\d+)(ms|s|m|min|h)?$/.exec(String(value ?? '0'));
  if (!m) return Number.NaN;
  const unit = {ms: 0.001, s: 1, m: 60, min: 60, h: 3600}[m[2] ?? 's'] ?? 1;
  return Number(m[1]) * unit;
};
const role = (value: unknown): string | undefined =>
  value === undefined ? undefined : ({Master: 'Promoted', Slave: 'Unpromoted'} as Record<string, string>)[String(value)] ?? String(value);
const pairs = (sets: unknown): Record<string, string> =>
  Object.fromEntries(list(sets).flatMap((set) => list(set.nvpair).map((p) => [String(p['@_name']), String(p['@_value'])])));

function primitive(p: Xml) {
  return {
    id: p['@_id'], agent: `${p['@_class']}:${p['@_provider'] ?? ''}:${p['@_type']}`,
    params: pairs(p.instance_attributes), meta: pairs(p.meta_attributes),
    ops: list((p.operations as Xml | undefined)?.op).map((op) => ({
      name: op['@_name'], interval: seconds(op['@_interval']), timeout: seconds(op['@_timeout']), role: role(op['@_role']),
      depth: pairs(op.instance_attributes).OCF_CHECK_LEVEL,
    })).sort((a, b) => `${a.name}${a.role}${a.interval}`.localeCompare(`${b.name}${b.role}${b.interval}`)),
  };
}

export function cibEssentials(cib: string) {
  const config = (new XMLParser({ignoreAttributes: false}).parse(cib) as Xml).cib as Xml;
  const configuration = config.configuration as Xml;
  const resources = configuration.resources as Xml;
  const constraints = (configuration.constraints ?? {}) as Xml;
  const byId = <T extends {id: unknown}>(a: T[]): T[] => a.sort((x, y) => String(x.id).localeCompare(String(y.id)));
  return {
    primitives: byId(list(resources.primitive).map(primitive)),
    clones: list(resources.clone).map((clone) => ({id: clone['@_id'], meta: pairs(clone.meta_attributes), child: primitive(clone.primitive as Xml)})),
    groups: list(resources.group).map((group) => ({id: group['@_id'], members: list(group.primitive).map(primitive)})),
    colocations: byId(list(constraints.rsc_colocation).map((c) => ({
      id: c['@_id'], rsc: c['@_rsc'], role: role(c['@_rsc-role'] ?? 'Started'), with: c['@_with-rsc'], withRole: role(c['@_with-rsc-role']), score: c['@_score'],
    }))),
    orders: byId(list(constraints.rsc_order).map((o) => ({
      id: o['@_id'], first: o['@_first'], firstAction: o['@_first-action'] ?? 'start', then: o['@_then'], thenAction: o['@_then-action'] ?? 'start',
      // Pacemaker's default kind is Mandatory; a score of INFINITY means the same.
      kind: o['@_kind'] ?? (o['@_score'] === undefined || o['@_score'] === 'INFINITY' ? 'Mandatory' : o['@_score']),
    }))),
    locations: list(constraints.rsc_location).map((l) => ({rsc: l['@_rsc'], node: l['@_node'], score: String(l['@_score']).replace(/^-inf(inity)?$/i, '-INFINITY')}))
      .sort((a, b) => String(a.rsc).localeCompare(String(b.rsc))),
    properties: Object.fromEntries(Object.entries(pairs((configuration.crm_config as Xml | undefined)?.cluster_property_set))
      .filter(([name]) => !['dc-version', 'cluster-infrastructure', 'cluster-name', 'have-watchdog', 'last-lrm-refresh'].includes(name))),
    defaults: pairs((configuration.rsc_defaults as Xml | undefined)?.meta_attributes),
  };
}
