import type {DerivedStatus} from './derive';

// LINBIT's promotion-score table (drbd.ocf drbd_update_master_score,
// parameter adjust_master_score; reference/drbd.md §1.4).
export interface ScoreTable {
  // All local disks at least Consistent (fencing decides whether that is good enough).
  onlyConsistent: number;
  // Local data not UpToDate, but some peer has all disks UpToDate.
  onlyRemote: number;
  // Secondary, local disks UpToDate, some peer disk unknown.
  localOk: number;
  // Local disks UpToDate and Primary, or every peer disk known.
  asGoodAsItGets: number;
}

export const DEFAULT_SCORE_TABLE: ScoreTable = Object.freeze({
  onlyConsistent: 0,
  onlyRemote: 10,
  localOk: 1000,
  asGoodAsItGets: 10000,
});

// "0 10 1000 10000": four non-decreasing integers; undefined otherwise.
export function parseScoreTable(text: string): ScoreTable | undefined {
  const words = String(text ?? '').trim().split(/\s+/);
  if (words.length !== 4 || !words.every((w) => /^-?\d{1,9}$/.test(w))) return undefined;
  const [onlyConsistent, onlyRemote, localOk, asGoodAsItGets] = words.map(Number) as [number, number, number, number];
  if (!(onlyConsistent <= onlyRemote && onlyRemote <= localOk && localOk <= asGoodAsItGets)) return undefined;
  return {onlyConsistent, onlyRemote, localOk, asGoodAsItGets};
}

export type ScoreAction = {kind: 'set'; score: number} | {kind: 'delete'} | {kind: 'unchanged'};

export interface ScoreOptions {
  // remove_master_score_if_peer_primary=true: a Secondary connected to a
  // Primary peer with all disks UpToDate gets no score.
  removeIfPeerPrimary?: boolean;
}

// Pacemaker treats a missing score as "do not promote here"; LINBIT deletes
// rather than sets values <= 0 (negative scores made old Pacemakers restart
// the instance).
const scoreOf = (score: number): ScoreAction => (score > 0 ? {kind: 'set', score} : {kind: 'delete'});

// What to do with this node's promotion score; the first matching row wins.
export function promotionScore(status: DerivedStatus, table: ScoreTable, options: ScoreOptions = {}): ScoreAction {
  if (!status.configured || !status.quorate) return {kind: 'delete'};
  if (options.removeIfPeerPrimary && !status.primary && status.somePeerPrimary && status.somePeerAllUpToDate) {
    return {kind: 'delete'};
  }
  if (status.disklessClient) {
    // Intentionally diskless: good remote data makes it slightly worse than local data.
    if (status.primary && status.somePeerAllUpToDate) return scoreOf(table.asGoodAsItGets - 1);
    if (status.pdskAllUpToDate) return scoreOf(table.asGoodAsItGets - 1);
    if (status.somePeerAllUpToDate) return scoreOf(table.localOk - 1);
    return {kind: 'delete'};
  }
  if (status.diskAllUpToDate) {
    if (status.primary) return scoreOf(table.asGoodAsItGets);
    // A Secondary that cannot see its peer's disk might be the stale side.
    return scoreOf(status.pdskAnyUnknown ? table.localOk : table.asGoodAsItGets);
  }
  if (status.somePeerAllUpToDate) return scoreOf(table.onlyRemote);
  if (status.diskTransitional) return {kind: 'unchanged'};
  if (status.diskAllConsistent) return scoreOf(table.onlyConsistent);
  return {kind: 'delete'};
}
