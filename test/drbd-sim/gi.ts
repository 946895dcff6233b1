// Generation identifiers: the UUID rotations DRBD 8.4 performs
// (drbd_main.c drbd_uuid_set/_drbd_uuid_set/drbd_uuid_set_bm/
// drbd_uuid_new_current, drbd_worker.c drbd_resync_finished, receiver
// receive_sync_uuid) and the get-gi/show-gi line formats. Pure functions
// over hex strings; the random source is injectable for tests.
import {randomBytes} from 'node:crypto';
import type {Gi, MdFlags, Role} from './types';

export const UUID_JUST_CREATED = '0000000000000004';
export const ZERO = '0000000000000000';
// Added to the bitmap UUID when a resync starts as sync source.
export const UUID_NEW_BM_OFFSET = 0x0001000000000000n;

const MASK64 = (1n << 64n) - 1n;

export type RandomUuid = () => string;

// A random 64-bit UUID as 16 upper-case hex digits.
export const randomUuid: RandomUuid = () => randomBytes(8).toString('hex').toUpperCase();

// Parses a UUID string into a bigint.
export const toBig = (u: string): bigint => BigInt(`0x${u}`);

// Formats a bigint as DRBD prints a UUID (%016llX).
export const fromBig = (v: bigint): string => (v & MASK64).toString(16).toUpperCase().padStart(16, '0');

// The UUID without its "was primary" bit 0.
export const stripPrimary = (u: string): string => fromBig(toBig(u) & ~1n);

// Sets or clears bit 0 ("was primary").
export const withPrimaryBit = (u: string, primary: boolean): string =>
  fromBig(primary ? toBig(u) | 1n : toBig(u) & ~1n);

// Bit 0 of a UUID.
export const primaryBit = (u: string): 0 | 1 => (toBig(u) & 1n ? 1 : 0);

// Fresh meta-data of drbdmeta create-md.
export const justCreatedGi = (): Gi => ({current: UUID_JUST_CREATED, bitmap: ZERO, history: [ZERO, ZERO]});

// Copy of a GI tuple.
export const cloneGi = (g: Gi): Gi => ({current: g.current, bitmap: g.bitmap, history: [g.history[0], g.history[1]]});

// drbd_uuid_move_history: older history gets the younger, younger is free.
function moveHistory(g: Gi): void {
  g.history[1] = g.history[0];
}

// __drbd_uuid_set for the current UUID: bit 0 follows the role.
function setCurrent(g: Gi, value: string, role: Role): void {
  g.current = withPrimaryBit(value, role === 'Primary');
}

// drbd_uuid_set(UI_BITMAP, v): a non-zero old bitmap UUID moves to history.
export function uuidSetBitmap(g: Gi, value: string): Gi {
  const next = cloneGi(g);
  if (next.bitmap !== ZERO) {
    moveHistory(next);
    next.history[0] = next.bitmap;
  }
  next.bitmap = value;
  return next;
}

// drbd_uuid_set_bm(0): the bitmap UUID moves to history (no-op when already 0).
export function uuidClearBitmap(g: Gi): Gi {
  const next = cloneGi(g);
  if (next.bitmap === ZERO) return next;
  moveHistory(next);
  next.history[0] = next.bitmap;
  next.bitmap = ZERO;
  return next;
}

export interface NewCurrent {
  gi: Gi;
  // "bm UUID was already set: %llX" was logged.
  bitmapWasSet: string | null;
}

// drbd_uuid_new_current: old current becomes the bitmap UUID (overwriting a
// set one, with a warning), a random new current with bit 0 from the role.
export function uuidNewCurrent(g: Gi, role: Role, random: RandomUuid = randomUuid): NewCurrent {
  const next = cloneGi(g);
  const bitmapWasSet = next.bitmap !== ZERO ? next.bitmap : null;
  next.bitmap = next.current;
  setCurrent(next, random(), role);
  return {gi: next, bitmapWasSet};
}

// drbd_gen_and_send_sync_uuid on the sync source: bitmap UUID + offset
// (random when none or just created), old bitmap rotated into history.
export function uuidSyncSourceStart(g: Gi, random: RandomUuid = randomUuid): {gi: Gi; syncUuid: string} {
  let uuid = g.bitmap;
  if (uuid !== ZERO && uuid !== UUID_JUST_CREATED) uuid = fromBig(toBig(uuid) + UUID_NEW_BM_OFFSET);
  else uuid = random();
  return {gi: uuidSetBitmap(g, uuid), syncUuid: uuid};
}

// receive_sync_uuid on the target: current := sync UUID (bit 0 from role),
// bitmap := 0, nothing rotated.
export function uuidSyncTargetStart(g: Gi, syncUuid: string, role: Role): Gi {
  const next = cloneGi(g);
  setCurrent(next, syncUuid, role);
  next.bitmap = ZERO;
  return next;
}

// drbd_resync_finished on the sync target: take the peer's bitmap and
// history (p_uuid), own current into the bitmap slot, the peer's current,
// then clear the bitmap UUID.
export function uuidSyncTargetFinish(g: Gi, peer: Gi, role: Role): Gi {
  let next = cloneGi(g);
  next.bitmap = peer.bitmap;
  next.history = [peer.history[0], peer.history[1]];
  next = uuidSetBitmap(next, next.current);
  setCurrent(next, peer.current, role);
  return uuidClearBitmap(next);
}

// drbd_resync_finished on the sync source: only the bitmap UUID rotates out.
export const uuidSyncSourceFinish = (g: Gi): Gi => uuidClearBitmap(g);

// Promotion (drbd_set_role): a new current UUID when disconnected without a
// bitmap UUID, or forced; then bit 0 set.
export function uuidOnPromote(g: Gi, opts: {connected: boolean; forced: boolean}, random: RandomUuid = randomUuid): NewCurrent {
  let result: NewCurrent = {gi: cloneGi(g), bitmapWasSet: null};
  if ((!opts.connected && g.bitmap === ZERO) || opts.forced) result = uuidNewCurrent(g, 'Primary', random);
  result.gi.current = withPrimaryBit(result.gi.current, true);
  return result;
}

// Demotion: bit 0 of the current UUID is cleared.
export function uuidOnDemote(g: Gi): Gi {
  const next = cloneGi(g);
  next.current = withPrimaryBit(next.current, false);
  return next;
}

// The four UUIDs joined by ':' (the kernel log's drbd_print_uuids).
export const giUuids = (g: Gi): string => [g.current, g.bitmap, g.history[0], g.history[1]].join(':');

const bit = (b: boolean): string => (b ? '1' : '0');

// drbdmeta/drbdsetup get-gi, v08 (8.4):
// CUR:BM:H1:H2:consistent:wasUpToDate:primary:connected:fullSync:peerOutdated:crashedPrimary
export function formatGiV08(g: Gi, f: MdFlags): string {
  return `${giUuids(g)}:${[f.consistent, f.wasUpToDate, f.primary, f.connected, f.fullSync, f.peerOutdated,
    f.crashedPrimary].map(bit).join(':')}`;
}

// get-gi, v09: ...:consistent:wasUpToDate:primary:crashedPrimary:alClean:alDisabled:primaryLostQuorum:
// peerConnected:peerOutdated:peerFencing:peerFullSync:peerDeviceSeen
export function formatGiV09(g: Gi, f: MdFlags, peerFencing: boolean): string {
  return `${giUuids(g)}:${[f.consistent, f.wasUpToDate, f.primary, f.crashedPrimary, f.alClean, false, false]
    .map(bit).join(':')}:${[f.connected, f.peerOutdated, peerFencing, f.fullSync, f.peerDeviceSeen].map(bit).join(':')}`;
}

// drbdmeta show-gi v08: the get-gi line inside the ASCII legend, then the
// flags summary (observed on 8.4.11, byte for byte).
// The column headings show-gi prints above the UUIDs (both versions).
const GI_LEGEND = [
  '       +--<  Current data generation UUID  >-',
  '       |               +--<  Bitmap\'s base data generation UUID  >-',
  '       |               |                 +--<  younger history UUID  >-',
  '       |               |                 |         +-<  older history  >-',
  '       V               V                 V         V',
];

export function formatShowGiV08(g: Gi, f: MdFlags, attached: boolean): string {
  const line = formatGiV08(g, f);
  const flags: string[] = [f.primary ? 'Primary' : 'Secondary', f.connected ? 'Connected' : 'StandAlone'];
  flags.push(f.consistent ? (f.wasUpToDate ? 'UpToDate' : 'Outdated') : 'Inconsistent');
  return [
    '',
    ...GI_LEGEND,
    line,
    '                                                                    ^ ^ ^ ^ ^ ^ ^',
    '                                      -<  Data consistency flag  >--+ | | | | | |',
    '                             -<  Data was/is currently up-to-date  >--+ | | | | |',
    '                                  -<  Node was/is currently primary  >--+ | | | |',
    '                                  -<  Node was/is currently connected  >--+ | | |',
    '         -<  Node was in the progress of setting all bits in the bitmap  >--+ | |',
    '                        -<  The peer\'s disk was out-dated or inconsistent  >--+ |',
    '      -<  This node was a crashed primary, and has not seen its peer since   >--+',
    '',
    `flags: ${flags.join(', ')}`,
    ...(attached ? ['meta-data: need apply-al'] : ['meta-data: clean']),
    '',
  ].join('\n');
}

// drbdmeta show-gi v09 (derived, not observed): the v08 legend style over the v09 fields.
export function formatShowGiV09(g: Gi, f: MdFlags, peerFencing: boolean): string {
  const line = formatGiV09(g, f, peerFencing);
  const labels = ['Data consistency flag', 'Data was/is currently up-to-date', 'Node was/is currently primary',
    'This node was a crashed primary, and has not seen its peer since', 'Activity log is clean', 'Activity log is disabled',
    'Primary lost quorum', 'Node was/is currently connected', 'The peer\'s disk was out-dated or inconsistent',
    'The peer was fenced', 'Node was in the progress of setting all bits in the bitmap', 'The peer device was seen'];
  const start = 68;
  const legend = labels.map((label, i) => {
    const head = `-<  ${label}  >--+`;
    const column = start + 2 * i;
    return `${' '.repeat(Math.max(0, column + 1 - head.length))}${head}${' |'.repeat(labels.length - 1 - i)}`;
  });
  return [
    '',
    ...GI_LEGEND,
    line,
    `${' '.repeat(start)}${Array(labels.length).fill('^').join(' ')}`,
    ...legend,
    '',
  ].join('\n');
}
