import {broadcastOf, canonicalAddress, parseAddress, parsePrefix, prefixContains} from '../../../../../lib/sys/net/ip-address';

const addr = (text: string) => {
  const parsed = parseAddress(text);
  if (!parsed) throw new Error(`unparseable ${text}`);
  return parsed;
};

describe('ip-address', () => {
  test.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0002:0001', '2001:db8::2:1'],
    ['2001:db8::', '2001:db8::'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:203.0.113.5', '::ffff:cb00:7105'],
    ['203.0.113.5', '203.0.113.5'],
  ])('%s is written %s (RFC 5952)', (text, canonical) => {
    expect(canonicalAddress(text)).toBe(canonical);
  });

  test.each([
    '203.0.113',
    '203.0.113.256',
    '203.0.113.05',
    ' 203.0.113.5',
    '2001:db8::1::2',
    '12345::1',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1::2:3:4:5:6:7:8',
    '::ffff:203.0.113',
    '203.0.113.5::',
    'fe80::1%eth0',
    'eth0',
    '',
  ])('%j is not an address', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });

  test.each(['1:2:3:4:5:6:7:8', '1::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6::8', '::ffff:203.0.113.5', '64:ff9b::198.51.100.1'])(
    '%j is an IPv6 address',
    (text) => {
      expect(parseAddress(text)?.family).toBe(6);
    },
  );

  test('prefixContains compares bit by bit', () => {
    expect(prefixContains(addr('203.0.113.0'), 24, addr('203.0.113.77'))).toBe(true);
    expect(prefixContains(addr('203.0.113.0'), 25, addr('203.0.113.200'))).toBe(false);
    expect(prefixContains(addr('2001:db8:1::'), 64, addr('2001:db8:1::50'))).toBe(true);
    expect(prefixContains(addr('2001:db8:1::'), 64, addr('2001:db8:2::50'))).toBe(false);
    expect(prefixContains(addr('203.0.113.0'), 24, addr('2001:db8::1'))).toBe(false);
  });

  test.each([
    ['24', 4, 24],
    ['255.255.255.0', 4, 24],
    ['255.255.255.255', 4, 32],
    ['255.255.0.255', 4, undefined],
    ['33', 4, undefined],
    ['64', 6, 64],
    ['128', 6, 128],
    ['129', 6, undefined],
    ['255.255.255.0', 6, undefined],
  ] as const)('prefix %s for IPv%i is %s', (text, family, prefix) => {
    expect(parsePrefix(text, family)).toBe(prefix);
  });

  test('broadcastOf sets the host bits', () => {
    expect(broadcastOf(addr('203.0.113.50'), 24)).toBe('203.0.113.255');
    expect(broadcastOf(addr('198.51.100.10'), 28)).toBe('198.51.100.15');
  });
});
