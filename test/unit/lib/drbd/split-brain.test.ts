import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {compareGenerations} from '../../../../lib/drbd/generations';
import {formatGi, parseGi, type GenerationIds} from '../../../../lib/drbd/gi';
import {isUsableDisk, toConnectionState, toDiskState, toRole} from '../../../../lib/drbd/names';
import {
  DEFAULT_MAX_FACT_AGE_SECONDS,
  decideSplitBrain,
  parseSplitBrainPolicy,
  type FencingFacts,
  type NodeFacts,
  type SplitBrainDecision,
  type SplitBrainInput,
  type SplitBrainPolicy,
} from '../../../../lib/drbd/split-brain';
import type {ConnectionState, DiskState} from '../../../../lib/drbd/types';

const SCENARIOS = join(__dirname, '../../../fixtures/drbd/split-brain-scenarios.txt');

// --- the datadriven scenario file -------------------------------------------

interface Scenario {
  title: string;
  // Lines before the separator (comments and input), kept verbatim on rewrite.
  head: string[];
  input: SplitBrainInput;
  expected: string[];
}

const fields = (words: string[]): Map<string, string> =>
  new Map(words.map((w) => (w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w, ''])));

function nodeFacts(words: string[]): NodeFacts {
  const [name, ...rest] = words;
  const f = fields(rest);
  const facts: NodeFacts = {node: name ?? ''};
  const number = (key: string) => (f.has(key) ? Number(f.get(key)) : undefined);
  if (f.has('gi')) {
    const gi = parseGi(f.get('gi') as string);
    if (!gi) throw new Error(`bad gi ${f.get('gi')}`);
    facts.gi = gi;
  }
  if (f.has('oos')) facts.outOfSyncKiB = number('oos') as number;
  if (f.has('role')) facts.role = toRole(f.get('role'));
  if (f.has('conn')) facts.connection = toConnectionState(f.get('conn'));
  if (f.has('disk')) facts.disk = toDiskState(f.get('disk'));
  if (f.has('marker')) facts.splitBrainMarker = f.get('marker') !== 'no';
  if (f.has('primary-at')) facts.lastPrimaryAt = number('primary-at') as number;
  if (f.has('published')) facts.publishedAt = number('published') as number;
  return facts;
}

function parseScenarios(text: string): {preamble: string[]; scenarios: Scenario[]} {
  const blocks = text.split(/\n\s*\n/);
  const preamble: string[] = [];
  const scenarios: Scenario[] = [];
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const separator = lines.indexOf('----');
    if (separator < 0) {
      preamble.push(block);
      continue;
    }
    const head = lines.slice(0, separator);
    const nodes: NodeFacts[] = [];
    let policy: SplitBrainPolicy | undefined;
    let now = 1000;
    let maxAge: number | undefined;
    let fencing: FencingFacts | undefined;
    for (const line of head) {
      if (line.startsWith('#')) continue;
      const [command, ...words] = line.trim().split(/\s+/);
      if (command === 'policy') policy = parseSplitBrainPolicy(words.join(' '));
      else if (command === 'now') now = Number(words[0]);
      else if (command === 'max-age') maxAge = Number(words[0]);
      else if (command === 'node') nodes.push(nodeFacts(words));
      else if (command === 'fencing') {
        const f = fields(words);
        fencing = {
          ...(f.has('allowed-on') ? {masterAllowedOnlyOn: f.get('allowed-on') as string} : {}),
          ...(f.has('fenced') ? {fencedNodes: (f.get('fenced') as string).split(',')} : {}),
        };
      } else throw new Error(`unknown scenario line: ${line}`);
    }
    if (!policy || nodes.length !== 2) throw new Error(`incomplete scenario:\n${block}`);
    const title = head.find((l) => l.startsWith('#'))?.replace(/^#\s*/, '') ?? head.join(' ');
    scenarios.push({
      title: `${scenarios.length + 1}: ${title}`,
      head,
      input: {a: nodes[0] as NodeFacts, b: nodes[1] as NodeFacts, policy, now, ...(fencing ? {fencing} : {}), ...(maxAge !== undefined ? {maxFactAgeSeconds: maxAge} : {})},
      expected: lines.slice(separator + 1),
    });
  }
  return {preamble, scenarios};
}

// The decision as the scenario file writes it.
function render(decision: SplitBrainDecision): string[] {
  const words: string[] = [decision.kind];
  if (decision.kind === 'resolved') words.push(`survivor=${decision.survivor}`, `victim=${decision.victim}`, `basis=${decision.basis}`);
  if (decision.kind === 'manual' && decision.survivor !== undefined) words.push(`survivor=${decision.survivor}`);
  return [words.join(' '), `reason ${decision.reason}`];
}

const swapped = (input: SplitBrainInput): SplitBrainInput => ({...input, a: input.b, b: input.a});

const {preamble, scenarios} = parseScenarios(readFileSync(SCENARIOS, 'utf8'));

if (process.env.DRBD_SCENARIOS_REWRITE) {
  const out = [...preamble, ...scenarios.map((s) => [...s.head, '----', ...render(decideSplitBrain(s.input))].join('\n'))];
  writeFileSync(SCENARIOS, `${out.join('\n\n').trimEnd()}\n`);
}

describe('split-brain scenarios (test/fixtures/drbd/split-brain-scenarios.txt)', () => {
  test('the file holds scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(30);
  });

  test.each(scenarios.map((s) => [s.title, s] as const))('%s', (_title, scenario) => {
    const decision = decideSplitBrain(scenario.input);
    expect(render(decision)).toEqual(scenario.expected);
    expect(decideSplitBrain(swapped(scenario.input))).toEqual(decision);
  });
});

// --- direct cases -------------------------------------------------------------

const gi = (line: string): GenerationIds => parseGi(line) as GenerationIds;
const SPLIT_CTL1 = gi('63A8729EBE259999:7EB48A41FDFD74E7:0000000000000000:0000000000000000:1:1:1:0:0:0:0');
const SPLIT_CTL2 = gi('013B618ECD08D7D0:7EB48A41FDFD74E6:0000000000000000:0000000000000000:1:1:0:0:0:0:0');

describe('decideSplitBrain', () => {
  const base = (): SplitBrainInput => ({
    a: {node: 'ctl1', gi: SPLIT_CTL1, outOfSyncKiB: 300, connection: 'StandAlone', disk: 'UpToDate', splitBrainMarker: true, publishedAt: 1000},
    b: {node: 'ctl2', gi: SPLIT_CTL2, outOfSyncKiB: 40, connection: 'StandAlone', disk: 'UpToDate', publishedAt: 1000},
    policy: {kind: 'discard-least-changes'},
    now: 1000,
  });

  test('names the facts it used, victim first, as the issue asks', () => {
    const decision = decideSplitBrain(base());
    expect(decision).toMatchObject({kind: 'resolved', survivor: 'ctl1', victim: 'ctl2', basis: 'least-changes'});
    expect(decision.reason).toMatch(/ctl2 changed 40 KiB since the split, ctl1 300 KiB: ctl2 is the victim \(discard-least-changes\)$/);
    expect(decision.reason).toMatch(/^ctl1 and ctl2 diverged from a common bitmap UUID \(rule 90\) and the split-brain handler fired on ctl1;/);
  });

  test(`facts exactly ${DEFAULT_MAX_FACT_AGE_SECONDS} s old are still fresh, one second more is stale`, () => {
    const input = base();
    input.b.publishedAt = 1000 - DEFAULT_MAX_FACT_AGE_SECONDS;
    expect(decideSplitBrain(input).kind).toBe('resolved');
    input.b.publishedAt -= 1;
    expect(decideSplitBrain(input)).toEqual({kind: 'undecided', reason: `ctl2's facts are ${DEFAULT_MAX_FACT_AGE_SECONDS + 1} s old (limit ${DEFAULT_MAX_FACT_AGE_SECONDS} s)`});
  });

  test('the peer placeholder the agent passes when it has no peer facts is undecided', () => {
    expect(decideSplitBrain({...base(), b: {node: '(peer)'}})).toEqual({kind: 'undecided', reason: 'no dated facts from (peer)'});
  });

  test('NaN from a broken attribute counts as missing, not as a number', () => {
    expect(decideSplitBrain({...base(), b: {...base().b, publishedAt: Number.NaN}})).toEqual({kind: 'undecided', reason: 'no dated facts from ctl2'});
    const decision = decideSplitBrain({...base(), b: {...base().b, outOfSyncKiB: Number.NaN}});
    expect(decision.kind).toBe('undecided');
    expect(decision.reason).toMatch(/ctl2 published no out-of-sync count: discard-least-changes cannot compare them$/);
  });

  test('fencedNodes naming other nodes are ignored', () => {
    const decision = decideSplitBrain({...base(), fencing: {fencedNodes: ['ctl7']}});
    expect(decision).toMatchObject({kind: 'resolved', survivor: 'ctl1', basis: 'least-changes'});
  });

  test('a tie on everything is broken by name, whichever node is a', () => {
    const facts = (node: string, line: string): NodeFacts => ({node, gi: gi(line), outOfSyncKiB: 8, connection: 'StandAlone', publishedAt: 1000});
    const one = facts('node-b', 'FCE48705B107781C:3FC2B46E8A099A50:0000000000000000:0000000000000000');
    const other = facts('node-a', 'D3152AEA90FAD456:3FC2B46E8A099A50:0000000000000000:0000000000000000');
    for (const [a, b] of [[one, other], [other, one]] as const) {
      expect(decideSplitBrain({a, b, policy: {kind: 'discard-least-changes'}, now: 1000})).toMatchObject({
        kind: 'resolved',
        survivor: 'node-a',
        victim: 'node-b',
        basis: 'node-name',
      });
    }
  });
});

describe('parseSplitBrainPolicy', () => {
  test.each([
    ['discard-least-changes', {kind: 'discard-least-changes'}],
    [' discard-younger-primary ', {kind: 'discard-younger-primary'}],
    ['manual', {kind: 'manual'}],
    ['discard-node:ctl2', {kind: 'discard-node', node: 'ctl2'}],
    ['discard-node-ctl-2.example', {kind: 'discard-node', node: 'ctl-2.example'}],
  ])('%j', (text, policy) => {
    expect(parseSplitBrainPolicy(text)).toEqual(policy);
  });

  test.each(['', 'disconnect', 'discard-node:', 'discard-node', 'discard-node:a b', 'Manual', 'discard-older-primary'])(
    '%j is not a policy',
    (text) => {
      expect(parseSplitBrainPolicy(text)).toBeUndefined();
    },
  );
});

// --- properties on random facts ------------------------------------------------

// mulberry32: a small seeded generator, so failures reproduce.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomInput(rand: () => number): SplitBrainInput {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const maybe = <T>(value: T, p = 0.8): T | undefined => (rand() < p ? value : undefined);
  const uuid = () => BigInt(Math.floor(rand() * 0xffffffff)) * 0x100000000n + BigInt(Math.floor(rand() * 0xffffffff));
  const ancestor = uuid() & ~1n;
  const older = uuid() & ~1n;
  const tuple = (current: bigint, bitmap: bigint, h1: bigint, h2: bigint): GenerationIds => ({current, bitmap, history: [h1, h2], flags: {crashedPrimary: rand() < 0.1}});
  const bit = () => (rand() < 0.5 ? 1n : 0n);
  const splitFromBitmap = (): [GenerationIds, GenerationIds] => [tuple(uuid(), ancestor | bit(), 0n, 0n), tuple(uuid(), ancestor | bit(), 0n, 0n)];
  const splitFromHistory = (): [GenerationIds, GenerationIds] => [tuple(uuid(), 0n, ancestor | bit(), older), tuple(uuid(), 0n, ancestor | bit(), older)];
  const shapes: Array<() => [GenerationIds, GenerationIds]> = [
    splitFromBitmap,
    splitFromBitmap,
    splitFromBitmap,
    splitFromHistory,
    // one ahead
    () => [tuple(uuid(), ancestor | 1n, 0n, 0n), tuple(ancestor, 0n, 0n, 0n)],
    // equal
    () => [tuple(ancestor | bit(), 0n, older, 0n), tuple(ancestor | bit(), 0n, older, 0n)],
    // unrelated
    () => [tuple(uuid(), uuid(), uuid(), 0n), tuple(uuid(), uuid(), uuid(), 0n)],
  ];
  const [g1, g2] = pick(shapes)();
  const disks: DiskState[] = ['UpToDate', 'UpToDate', 'UpToDate', 'Consistent', 'Outdated', 'Inconsistent', 'Diskless'];
  const connections: ConnectionState[] = ['StandAlone', 'StandAlone', 'Connecting', 'Connected', 'Unconnected'];
  const names = ['ctl1', 'ctl2', 'node-a', 'Node-B', 'ctl10'];
  const now = 10_000;
  const facts = (node: string, g: GenerationIds): NodeFacts => {
    const f: NodeFacts = {node};
    const values: Partial<NodeFacts> = {
      gi: maybe(g, 0.9),
      outOfSyncKiB: maybe(pick([0, 4, 40, 40, 300, 1200])),
      role: maybe(pick(['Primary', 'Secondary'] as const)),
      connection: maybe(pick(connections)),
      disk: maybe(pick(disks)),
      splitBrainMarker: maybe(rand() < 0.5),
      lastPrimaryAt: maybe(pick([now - 500, now - 400, now - 400]), 0.5),
      publishedAt: maybe(pick([now, now, now - 10, now - 120, now - 121, now + 500]), 0.97),
    };
    for (const [key, value] of Object.entries(values)) if (value !== undefined) (f as unknown as Record<string, unknown>)[key] = value;
    return f;
  };
  const n1 = pick(names);
  const n2 = rand() < 0.05 ? n1 : pick(names.filter((n) => n !== n1));
  const policies: SplitBrainPolicy[] = [
    {kind: 'discard-least-changes'},
    {kind: 'discard-younger-primary'},
    {kind: 'manual'},
    {kind: 'discard-node', node: pick([n1, n2, 'ctl9'])},
  ];
  const fencing: FencingFacts = {};
  if (rand() < 0.3) fencing.masterAllowedOnlyOn = pick([n1, n2, 'ctl9']);
  if (rand() < 0.3) fencing.fencedNodes = [pick([n1, n2, 'ctl9']), ...(rand() < 0.3 ? [pick([n1, n2])] : [])];
  return {a: facts(n1, g1), b: facts(n2, g2), policy: pick(policies), fencing, now};
}

describe('decideSplitBrain properties (2000 random fact pairs, seeded)', () => {
  const cases = Array.from({length: 2000}, (_, i) => randomInput(random(i + 1)));

  test('deciding (a, b) and (b, a) gives the same decision', () => {
    for (const input of cases) expect(decideSplitBrain(swapped(input))).toEqual(decideSplitBrain(input));
  });

  test('survivor and victim are the two nodes, never the same one', () => {
    for (const input of cases) {
      const decision = decideSplitBrain(input);
      if (decision.kind !== 'resolved') continue;
      expect(decision.survivor).not.toBe(decision.victim);
      expect([decision.survivor, decision.victim].sort()).toEqual([input.a.node, input.b.node].sort());
    }
  });

  test('a victim never is the only side with usable data', () => {
    for (const input of cases) {
      const decision = decideSplitBrain(input);
      if (decision.kind !== 'resolved') continue;
      const byNode = new Map([input.a, input.b].map((f) => [f.node, f]));
      const victimDisk = byNode.get(decision.victim)?.disk;
      const survivorDisk = byNode.get(decision.survivor)?.disk;
      if (survivorDisk !== undefined && !isUsableDisk(survivorDisk)) {
        throw new Error(`survivor ${decision.survivor} has ${survivorDisk}, victim ${victimDisk}: ${decision.reason}`);
      }
    }
  });

  test('only fresh facts with diverged generations are ever resolved; unrelated data never is', () => {
    let resolved = 0;
    for (const input of cases) {
      const decision = decideSplitBrain(input);
      const {a, b} = input;
      const relation = a.gi && b.gi ? compareGenerations(a.gi, b.gi).relation : undefined;
      if (relation === 'unrelated') expect(decision.kind).not.toBe('resolved');
      if (decision.kind !== 'resolved') continue;
      resolved++;
      expect(relation === 'split-brain-bitmap' || relation === 'split-brain-history').toBe(true);
      for (const f of [a, b]) expect(Math.abs(input.now - (f.publishedAt as number))).toBeLessThanOrEqual(DEFAULT_MAX_FACT_AGE_SECONDS);
      expect(a.connection === 'Connected' || b.connection === 'Connected').toBe(false);
    }
    // The generator must exercise the interesting branch.
    expect(resolved).toBeGreaterThan(100);
  });

  test('formatGi output of the generated GIs parses back (the agent publishes v08 text)', () => {
    for (const input of cases.slice(0, 200)) {
      for (const f of [input.a, input.b]) {
        if (!f.gi) continue;
        const back = parseGi(formatGi(f.gi, 'v08')) as GenerationIds;
        expect([back.current, back.bitmap, ...back.history]).toEqual([f.gi.current, f.gi.bitmap, ...f.gi.history]);
      }
    }
  });
});
