import {generationOf, type GenerationIds} from './gi';

// DRBD's handshake classification of two generation-identifier tuples: the
// rule table of 8.4's drbd_uuid_compare() (LINBIT/drbd drbd-8.4.7
// drbd/drbd_receiver.c; reference/drbd.md §2.1), evaluated on the node
// `local` against `peer`, with the rule numbers the kernel logs
// ("uuid_compare()=100 by rule 90"). Bit 0 of every UUID is masked.
//
// Differences from the kernel, both on the safe side:
// - protocol >= 96 is assumed (every 8.4 and 9 peer speaks it);
// - rule 100 needs a *non-zero* common history UUID. The kernel also matches
//   two empty history slots (0 == 0), calling two unrelated data sets that
//   never resynced a split brain; here they are 'unrelated'.
// - Rule 40 with both sides crashed Primaries: the kernel picks the direction
//   with its connection tie-breaker, invisible in the tuples: 'equal' here
//   (the data differs at most by the activity log; DRBD resyncs it).

export type GenerationRelation =
  | 'equal'
  | 'local-ahead'
  | 'peer-ahead'
  | 'split-brain-bitmap'
  | 'split-brain-history'
  | 'unrelated'
  | 'just-created';

export interface GenerationComparison {
  relation: GenerationRelation;
  rule: number;
}

const JUST_CREATED = 4n;
// Added to the bitmap UUID when a resync starts (drbd.h UUID_NEW_BM_OFFSET).
const NEW_BM_OFFSET = 0x0001000000000000n;
const MASK_64 = (1n << 64n) - 1n;

// How the local data relates to the peer's; `rule` is DRBD's rule number.
export function compareGenerations(local: GenerationIds, peer: GenerationIds): GenerationComparison {
  const self = tupleOf(local);
  const other = tupleOf(peer);
  const result = (relation: GenerationRelation, rule: number): GenerationComparison => ({relation, rule});

  if (self.current === JUST_CREATED && other.current === JUST_CREATED) return result('just-created', 10);
  if ((self.current === JUST_CREATED || self.current === 0n) && other.current !== JUST_CREATED) return result('peer-ahead', 20);
  if (self.current !== JUST_CREATED && (other.current === JUST_CREATED || other.current === 0n)) return result('local-ahead', 30);

  if (self.current === other.current) {
    // One side missed the end of a resync it was SyncSource (34/36) or target (35/37) of.
    if (other.rawBitmap === 0n && self.rawBitmap !== 0n) {
      return result('local-ahead', self.bitmap === other.history[0] && self.history[0] === other.history[1] ? 34 : 36);
    }
    if (self.rawBitmap === 0n && other.rawBitmap !== 0n) {
      return result('peer-ahead', self.history[0] === other.bitmap && self.history[1] === other.history[0] ? 35 : 37);
    }
    // Crashed-primary arbitration: the crashed Primary may hold writes the other never saw.
    const crashed = (local.flags.crashedPrimary ? 1 : 0) + (peer.flags.crashedPrimary ? 2 : 0);
    if (crashed === 1) return result('local-ahead', 40);
    if (crashed === 2) return result('peer-ahead', 40);
    return result('equal', 40);
  }

  if (self.current === other.bitmap) return result('peer-ahead', 50);
  if (self.current === other.history[0] && bumped(other.history[0]) === other.bitmap) return result('peer-ahead', 51);
  if (other.history.includes(self.current)) return result('peer-ahead', 60);
  if (self.bitmap === other.current) return result('local-ahead', 70);
  if (self.history[0] === other.current && bumped(self.history[0]) === self.bitmap) return result('local-ahead', 71);
  if (self.history.includes(other.current)) return result('local-ahead', 80);

  if (self.bitmap === other.bitmap && self.bitmap !== 0n) return result('split-brain-bitmap', 90);
  const commonHistory = self.history.some((h) => h !== 0n && other.history.includes(h));
  return result(commonHistory ? 'split-brain-history' : 'unrelated', 100);
}

// The relation as the other node sees it.
export function mirrorRelation(relation: GenerationRelation): GenerationRelation {
  if (relation === 'local-ahead') return 'peer-ahead';
  if (relation === 'peer-ahead') return 'local-ahead';
  return relation;
}

const bumped = (uuid: bigint): bigint => (uuid + NEW_BM_OFFSET) & MASK_64;

function tupleOf(gi: GenerationIds) {
  return {
    current: generationOf(gi.current),
    bitmap: generationOf(gi.bitmap),
    rawBitmap: gi.bitmap,
    history: [generationOf(gi.history[0]), generationOf(gi.history[1])] as const,
  };
}
