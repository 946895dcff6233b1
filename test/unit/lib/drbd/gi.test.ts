import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {formatGi, formatUuids, generationOf, parseGi, startedAsPrimary} from '../../../../lib/drbd/gi';

// `<scenario> <node> <get-gi line>` rows of the observed 8.4.11 runs.
const observed = readFileSync(join(__dirname, '../../../fixtures/drbd/gi-84-observed.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'))
  .map((line) => line.trim().split(/\s+/) as [string, string, string]);

describe('parseGi', () => {
  test('a v08 line (8.4: 4 UUIDs, 7 flags)', () => {
    expect(parseGi('63A8729EBE259999:7EB48A41FDFD74E7:0000000000000000:0000000000000000:1:1:1:0:0:0:0')).toEqual({
      current: 0x63a8729ebe259999n,
      bitmap: 0x7eb48a41fdfd74e7n,
      history: [0n, 0n],
      flags: {consistent: true, wasUpToDate: true, primary: true, connected: false, fullSync: false, peerOutdated: false, crashedPrimary: false},
    });
  });

  test('a v09 line (DRBD 9.22: 12 flags)', () => {
    const gi = parseGi('38CA1173E72161B1:CC03AA7840AA098C:3FC3B46E8A099A50:3FC2B46E8A099A51:1:1:0:1:1:0:0:1:1:0:0:1');
    expect(gi?.flags).toEqual({
      consistent: true,
      wasUpToDate: true,
      primary: false,
      crashedPrimary: true,
      alClean: true,
      alDisabled: false,
      primaryLostQuorum: false,
      peerConnected: true,
      peerOutdated: true,
      peerFencing: false,
      peerFullSync: false,
      peerDeviceSeen: true,
    });
  });

  test('an older v09 line (10 flags) and bare UUIDs', () => {
    expect(parseGi('0000000000000004:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:1:0:0:0:0:0')?.flags).toMatchObject({alClean: true, peerFullSync: false});
    expect(parseGi('0000000000000004:0000000000000000:0000000000000000:0000000000000000')).toEqual({current: 4n, bitmap: 0n, history: [0n, 0n], flags: {}});
  });

  test.each(observed.map(([scenario, node, line]) => [`${scenario} ${node}`, line]))('observed %s round-trips through formatGi v08', (_name, line) => {
    const gi = parseGi(line);
    expect(gi).toBeDefined();
    expect(formatGi(gi!, 'v08')).toBe(line);
  });

  test('surrounding blanks and a trailing word are tolerated (only the first word counts)', () => {
    expect(parseGi('  7EB48A41FDFD74E7:0:0:0:1:1:1:1:0:0:0 \n')?.current).toBe(0x7eb48a41fdfd74e7n);
    expect(parseGi('7EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000 bits:300 flags:0')?.bitmap).toBe(0n);
  });

  test.each([
    [''],
    ['0: Failure: (127) Device minor not allocated'],
    ['7EB48A41FDFD74E7:0000000000000000:0000000000000000'],
    ['7EB48A41FDFD74E7:0000000000000000:0000000000000000:XYZ'],
    ['17EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000'],
    ['7EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000:1:2:0'],
    ['7EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000:'],
  ])('%j is not a GI', (line) => {
    expect(parseGi(line)).toBeUndefined();
  });
});

describe('formatGi', () => {
  const v09 = '38CA1173E72161B1:CC03AA7840AA098C:3FC3B46E8A099A50:3FC2B46E8A099A51:1:1:0:1:1:0:0:1:1:0:1:1';

  test('v09 round-trips', () => {
    expect(formatGi(parseGi(v09)!, 'v09')).toBe(v09);
  });

  test('a v09 GI written as v08 keeps the facts both forms have (peerConnected → connected, peerFullSync → fullSync)', () => {
    expect(formatGi(parseGi(v09)!, 'v08')).toBe('38CA1173E72161B1:CC03AA7840AA098C:3FC3B46E8A099A50:3FC2B46E8A099A51:1:1:0:1:1:1:1');
  });

  test('a v08 GI written as v09 prints 0 for flags it does not have', () => {
    const v08 = '7EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000:1:1:1:1:0:0:0';
    expect(formatGi(parseGi(v08)!, 'v09')).toBe('7EB48A41FDFD74E7:0000000000000000:0000000000000000:0000000000000000:1:1:1:0:0:0:0:1:0:0:0:0');
  });

  test('UUIDs print as 16 upper-case hex digits', () => {
    expect(formatUuids({current: 4n, bitmap: 0xabcn, history: [1n, 0xffffffffffffffffn], flags: {}})).toBe(
      '0000000000000004:0000000000000ABC:0000000000000001:FFFFFFFFFFFFFFFF',
    );
  });
});

describe('UUID bit 0', () => {
  test('generationOf masks it, startedAsPrimary reads it', () => {
    expect(generationOf(0x7eb48a41fdfd74e7n)).toBe(0x7eb48a41fdfd74e6n);
    expect(startedAsPrimary(0x7eb48a41fdfd74e7n)).toBe(true);
    expect(startedAsPrimary(0x7eb48a41fdfd74e6n)).toBe(false);
  });
});
