// Generation identifiers as `drbdadm get-gi` prints them (reference/drbd.md
// §3.5; drbd-utils dt_print_uuids / dt_print_v9_uuids, "%016llX"):
//   v08 (8.4): CUR:BITMAP:HIST1:HIST2 + 7 flags
//   v09:       CUR:BITMAP(for that peer):HIST1:HIST2 + 12 flags (10 before
//              primaryLostQuorum and peerDeviceSeen were added)
// Bit 0 of a UUID means "was Primary when this generation began".

export interface GenerationIds {
  current: bigint;
  bitmap: bigint;
  history: [bigint, bigint];
  flags: Record<string, boolean>;
}

export type GiForm = 'v08' | 'v09';

const V08_FLAGS = ['consistent', 'wasUpToDate', 'primary', 'connected', 'fullSync', 'peerOutdated', 'crashedPrimary'];
const V09_FLAGS = [
  'consistent', 'wasUpToDate', 'primary', 'crashedPrimary', 'alClean', 'alDisabled', 'primaryLostQuorum',
  'peerConnected', 'peerOutdated', 'peerFencing', 'peerFullSync', 'peerDeviceSeen',
];
const V09_OLD_FLAGS = [
  'consistent', 'wasUpToDate', 'primary', 'crashedPrimary', 'alClean', 'alDisabled',
  'peerConnected', 'peerOutdated', 'peerFencing', 'peerFullSync',
];

// The same fact under its v08 and v09 names, so a GI read in one form can be
// written in the other.
const ALIASES: Record<string, string> = {
  connected: 'peerConnected',
  peerConnected: 'connected',
  fullSync: 'peerFullSync',
  peerFullSync: 'fullSync',
};

const UUID = /^[0-9A-Fa-f]{1,16}$/;
const MASK_64 = (1n << 64n) - 1n;

const flagNames = (count: number): string[] => {
  if (count === V08_FLAGS.length) return V08_FLAGS;
  if (count === V09_OLD_FLAGS.length) return V09_OLD_FLAGS;
  return Array.from({length: count}, (_, i) => V09_FLAGS[i] ?? `flag${i}`);
};

// One get-gi line (either form, or just the four UUIDs); undefined when the
// line is not one. Never throws.
export function parseGi(line: string): GenerationIds | undefined {
  const token = String(line ?? '').trim().split(/\s+/)[0] ?? '';
  const fields = token.split(':');
  if (fields.length < 4) return undefined;
  const uuids = fields.slice(0, 4);
  const flags = fields.slice(4);
  if (!uuids.every((u) => UUID.test(u)) || !flags.every((f) => f === '0' || f === '1')) return undefined;
  const [current, bitmap, h1, h2] = uuids.map((u) => BigInt(`0x${u}`)) as [bigint, bigint, bigint, bigint];
  const names = flagNames(flags.length);
  return {
    current,
    bitmap,
    history: [h1, h2],
    flags: Object.fromEntries(flags.map((f, i) => [names[i] as string, f === '1'])),
  };
}

const hex = (uuid: bigint): string => (uuid & MASK_64).toString(16).toUpperCase().padStart(16, '0');

// The four UUIDs as get-gi prints them: CUR:BITMAP:HIST1:HIST2.
export const formatUuids = (gi: GenerationIds): string =>
  [gi.current, gi.bitmap, gi.history[0], gi.history[1]].map(hex).join(':');

// A get-gi line in the given form; flags the GI does not carry print as 0.
export function formatGi(gi: GenerationIds, form: GiForm): string {
  const names = form === 'v08' ? V08_FLAGS : V09_FLAGS;
  const flag = (name: string): string => {
    const alias = ALIASES[name];
    return (gi.flags[name] ?? (alias !== undefined ? gi.flags[alias] : undefined)) ? '1' : '0';
  };
  return [formatUuids(gi), ...names.map(flag)].join(':');
}

// The UUID without its "was Primary" bit: what DRBD compares.
export const generationOf = (uuid: bigint): bigint => uuid & MASK_64 & ~1n;

// Bit 0: the node was Primary when this generation began.
export const startedAsPrimary = (uuid: bigint): boolean => (uuid & 1n) === 1n;
