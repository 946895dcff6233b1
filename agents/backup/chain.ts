import type {Manifest} from './manifest';

// One set directory as listed: good (manifest read, chain intact), broken (a
// differential whose full is gone or does not match) or damaged (no
// readable manifest: never restorable).
export interface SetEntry {
  id: string;
  state: 'good' | 'broken' | 'damaged';
  manifest?: Manifest;
  problem?: string;
}

// Marks differentials whose base is missing, not good, or whose LSN range
// does not start where the base ends. Input and output sorted by id (time).
export function checkChains(entries: readonly SetEntry[]): SetEntry[] {
  const byId = new Map(entries.map((e) => [e.id, e]));
  return entries.map((entry) => {
    const m = entry.manifest;
    if (entry.state !== 'good' || !m || m.type !== 'differential') return entry;
    const base = byId.get(m.base as string);
    if (!base) return {...entry, state: 'broken', problem: `its full set ${m.base} is missing`};
    if (base.state !== 'good' || !base.manifest) return {...entry, state: 'broken', problem: `its full set ${m.base} is ${base.state}`};
    if (base.manifest.type !== 'full') return {...entry, state: 'broken', problem: `its base ${m.base} is not a full set`};
    if (base.manifest.lsn.to !== m.lsn.from) {
      return {...entry, state: 'broken', problem: `it starts at LSN ${m.lsn.from} but its full set ${m.base} ends at ${base.manifest.lsn.to}`};
    }
    return entry;
  });
}

// The sets to restore for `id`: [full] or [full, differential]. Throws with
// the reason when the set is unknown, damaged or its chain is broken.
export function restoreChain(entries: readonly SetEntry[], id: string): Manifest[] {
  const checked = checkChains(entries);
  const entry = checked.find((e) => e.id === id);
  if (!entry) throw new Error(`no backup set ${id}`);
  if (entry.state !== 'good' || !entry.manifest) throw new Error(`set ${id} is ${entry.state}: ${entry.problem ?? 'unusable'}`);
  if (entry.manifest.type === 'full') return [entry.manifest];
  const base = checked.find((e) => e.id === entry.manifest?.base)?.manifest as Manifest;
  return [base, entry.manifest];
}

// The newest good full set: the base of the next differential.
export function latestFull(entries: readonly SetEntry[]): Manifest | undefined {
  return entries.filter((e) => e.state === 'good' && e.manifest?.type === 'full').at(-1)?.manifest;
}

// Retention: the newest `keepFull` good full sets stay, each with its newest
// `keepDifferential` differentials; older fulls go with all their
// differentials. Broken and damaged sets are left for the operator, except
// differentials of a full that goes. Returns the ids to delete.
export function planRetention(entries: readonly SetEntry[], keepFull: number, keepDifferential: number): string[] {
  const checked = checkChains(entries);
  const fulls = checked.filter((e) => e.state === 'good' && e.manifest?.type === 'full').map((e) => e.id);
  const keptFulls = new Set(fulls.slice(Math.max(0, fulls.length - keepFull)));
  const doomed: string[] = fulls.filter((id) => !keptFulls.has(id));
  const doomedSet = new Set(doomed);
  for (const full of keptFulls) {
    const diffs = checked.filter((e) => e.state === 'good' && e.manifest?.base === full).map((e) => e.id);
    doomed.push(...diffs.slice(0, Math.max(0, diffs.length - keepDifferential)));
  }
  for (const e of checked) {
    if (e.manifest?.type === 'differential' && doomedSet.has(e.manifest.base as string)) doomed.push(e.id);
  }
  return [...new Set(doomed)].sort();
}
