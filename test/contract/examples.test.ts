// The example configurations in packaging/examples: the crmsh file and its
// pcs twin build the same cluster configuration (resources, parameters,
// operations, constraints, defaults), checked against the installed agents'
// meta-data by crmsh, pcs and crm_verify, each on a CIB file of its own.
import {execa} from 'execa';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {XMLParser} from 'fast-xml-parser';
import {requireOcfAgent} from '../cluster/harness';

jest.setTimeout(120_000);

const EXAMPLES = join(__dirname, '../../packaging/examples');

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
    id: p['@_id'], agent: `${p['@_class']}:${p['@_provider']}:${p['@_type']}`,
    params: pairs(p.instance_attributes), meta: pairs(p.meta_attributes),
    ops: list((p.operations as Xml | undefined)?.op).map((op) => ({
      name: op['@_name'], interval: seconds(op['@_interval']), timeout: seconds(op['@_timeout']), role: role(op['@_role']),
      depth: pairs(op.instance_attributes).OCF_CHECK_LEVEL,
    })).sort((a, b) => `${a.name}${a.role}${a.interval}`.localeCompare(`${b.name}${b.role}${b.interval}`)),
  };
}

// What matters of a CIB's configuration, free of generated ids and spellings.
function essentials(cib: string) {
  const config = (new XMLParser({ignoreAttributes: false}).parse(cib) as Xml).cib as Xml;
  const configuration = config.configuration as Xml;
  const resources = configuration.resources as Xml;
  const constraints = (configuration.constraints ?? {}) as Xml;
  return {
    primitives: list(resources.primitive).map(primitive),
    clones: list(resources.clone).map((clone) => ({id: clone['@_id'], meta: pairs(clone.meta_attributes), child: primitive(clone.primitive as Xml)})),
    groups: list(resources.group).map((group) => ({id: group['@_id'], members: list(group.primitive).map(primitive)})),
    colocations: list(constraints.rsc_colocation).map((c) => ({
      id: c['@_id'], rsc: c['@_rsc'], role: role(c['@_rsc-role'] ?? 'Started'), with: c['@_with-rsc'], withRole: role(c['@_with-rsc-role']), score: c['@_score'],
    })),
    orders: list(constraints.rsc_order).map((o) => ({
      id: o['@_id'], first: o['@_first'], firstAction: o['@_first-action'], then: o['@_then'], thenAction: o['@_then-action'] ?? 'start',
      // Pacemaker's default kind is Mandatory; a score of INFINITY means the same.
      kind: o['@_kind'] ?? (o['@_score'] === undefined || o['@_score'] === 'INFINITY' ? 'Mandatory' : o['@_score']),
    })),
    defaults: pairs((configuration.rsc_defaults as Xml | undefined)?.meta_attributes),
  };
}

let dir = '';
beforeAll(() => {
  for (const agent of ['drbd', 'fs', 'vip', 'mysql', 'backup']) requireOcfAgent(`ocf:hacloud:${agent}`);
  dir = mkdtempSync('/var/tmp/hct-examples-');
});
afterAll(() => dir && rmSync(dir, {recursive: true, force: true}));

// An empty CIB with fencing and quorum out of the way (the example leaves
// fencing to the operator), so any complaint left is about the example.
async function emptyCib(name: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, (await execa('cibadmin', ['--empty'])).stdout);
  for (const [property, value] of [['stonith-enabled', 'false'], ['no-quorum-policy', 'ignore']] as const) {
    await execa('crm_attribute', ['--type', 'crm_config', '--name', property, '--update', value], {env: {CIB_file: file}});
  }
  return file;
}

test('mysql-on-drbd: crmsh and pcs build the same configuration, and crm_verify accepts it', async () => {
  const crmCib = await emptyCib('crm.xml');
  const crm = await execa('crm', ['configure', 'load', 'update', join(EXAMPLES, 'mysql-on-drbd.crm')], {
    env: {CIB_file: crmCib}, reject: false, all: true,
  });
  // Fencing is off in this test CIB, which Pacemaker rightly warns about; nothing else may be said.
  const complaints = (text: string) => text.split('\n').filter((l) => l.trim() && !/Blind faith: not fencing unseen nodes/.test(l));
  expect(complaints(crm.all)).toEqual([]);
  expect(crm.exitCode).toBe(0);

  const pcsCib = await emptyCib('pcs.xml');
  const pcs = await execa('sh', [join(EXAMPLES, 'mysql-on-drbd.pcs.sh')], {env: {CIB: pcsCib}, reject: false, all: true});
  // pcs reports what it adds and a general note on defaults; an error starts with "Error:".
  expect(pcs.all).not.toMatch(/^Error/m);
  expect(pcs.exitCode).toBe(0);

  for (const file of [crmCib, pcsCib]) {
    const verify = await execa('crm_verify', ['--xml-file', file], {reject: false, all: true});
    expect(complaints(verify.all)).toEqual([]);
    expect(verify.exitCode).toBe(0);
  }

  const [fromCrm, fromPcs] = [crmCib, pcsCib].map((file) => essentials(readFileSync(file, 'utf8')));
  expect(fromCrm?.clones.map((c) => c.id)).toEqual(['ms_drbd_r0']);
  expect(fromCrm?.groups[0]?.members.map((m) => m.id)).toEqual(['fs_mysql', 'vip_db', 'mysql']);
  expect(fromCrm?.primitives.map((p) => [p.id, p.agent])).toEqual([['db_backup', 'ocf:hacloud:backup']]);
  expect(fromCrm?.colocations.map((c) => [c.rsc, c.with])).toEqual([['g_mysql', 'ms_drbd_r0'], ['db_backup', 'g_mysql']]);
  expect(fromCrm?.orders.map((o) => [o.first, o.then])).toEqual([['ms_drbd_r0', 'g_mysql'], ['g_mysql', 'db_backup']]);
  expect(fromPcs).toEqual(fromCrm);
});
