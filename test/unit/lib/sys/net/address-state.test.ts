import {classifyAddress, describeAddressState, type ExpectedAddress} from '../../../../../lib/sys/net/address-state';
import {parseIfInet6, ipv4FromNetworkInterfaces, parseInterfaceNames, type InterfaceAddress} from '../../../../../lib/sys/net/interfaces';
import {parseIpAddrJson} from '../../../../../lib/sys/net/ip-json';
import {arpingArgs, sendUaArgs} from '../../../../../lib/sys/net/announce';

const v4: ExpectedAddress = {family: 4, address: '203.0.113.50', nic: 'eth0', prefix: 24, label: undefined};
const v6: ExpectedAddress = {family: 6, address: '2001:db8:1::50', nic: 'eth0', prefix: 64};
const held = (extra: Partial<InterfaceAddress>): InterfaceAddress => ({
  family: 4,
  iface: 'eth0',
  address: '203.0.113.50',
  prefix: 24,
  tentative: false,
  dadFailed: false,
  ...extra,
});
const up = new Set(['lo', 'eth0', 'eth1']);

describe('classifyAddress', () => {
  test.each([
    ['served', [held({})], up, {kind: 'served'}],
    ['absent', [held({address: '203.0.113.1'})], up, {kind: 'absent'}],
    ['link down', [], new Set(['lo']), {kind: 'link-down', present: false}],
    ['on a link that is down', [held({})], new Set(['lo']), {kind: 'link-down', present: true}],
    ['on another interface', [held({iface: 'eth1'})], up, {kind: 'elsewhere', iface: 'eth1'}],
    ['wrong prefix', [held({prefix: 32})], up, {kind: 'wrong-prefix', prefix: 32}],
    ['unexpected label', [held({label: 'eth0:x'})], up, {kind: 'wrong-label', label: 'eth0:x'}],
  ] as const)('IPv4 %s', (_what, addresses, running, state) => {
    expect(classifyAddress(v4, addresses, running)).toEqual(state);
  });

  test('the label must match when one is expected', () => {
    const labelled = {...v4, label: 'eth0:vip'};
    expect(classifyAddress(labelled, [held({label: 'eth0:vip'})], up)).toEqual({kind: 'served'});
    expect(classifyAddress(labelled, [held({})], up)).toEqual({kind: 'wrong-label', label: undefined});
  });

  test('IPv6 duplicate address detection states', () => {
    const six = (extra: Partial<InterfaceAddress>) => held({family: 6, address: '2001:db8:1::50', prefix: 64, ...extra});
    expect(classifyAddress(v6, [six({tentative: true})], up)).toEqual({kind: 'tentative'});
    expect(classifyAddress(v6, [six({tentative: true, dadFailed: true})], up)).toEqual({kind: 'dad-failed'});
    expect(classifyAddress(v6, [six({})], up)).toEqual({kind: 'served'});
  });

  test('describes states in words an operator can act on', () => {
    expect(describeAddressState({kind: 'elsewhere', iface: 'eth1'}, v4)).toBe('203.0.113.50 is configured on eth1, not on eth0');
    expect(describeAddressState({kind: 'dad-failed'}, v6)).toContain('duplicate address detection failed');
  });
});

describe('address readers', () => {
  test('/proc/net/if_inet6 with flags', () => {
    const text =
      '20010db8000100000000000000000050 02 40 00 c0     eth0\n' +
      '20010db8000100000000000000000099 02 40 00 c8     eth0\n' +
      '00000000000000000000000000000001 01 80 10 80       lo\n';
    expect(parseIfInet6(text)).toEqual([
      {family: 6, iface: 'eth0', address: '2001:db8:1::50', prefix: 64, tentative: true, dadFailed: false},
      {family: 6, iface: 'eth0', address: '2001:db8:1::99', prefix: 64, tentative: true, dadFailed: true},
      {family: 6, iface: 'lo', address: '::1', prefix: 128, tentative: false, dadFailed: false},
    ]);
  });

  test('getifaddrs entries keep IPv4 labels', () => {
    const table = {
      eth0: [{address: '203.0.113.1', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '203.0.113.1/24'}],
      'eth0:vip': [{address: '203.0.113.50', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '203.0.113.50/24'}],
      eth1: [{address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fe80::1/64', scopeid: 2}],
    } as never;
    expect(ipv4FromNetworkInterfaces(table)).toEqual([
      {family: 4, iface: 'eth0', address: '203.0.113.1', prefix: 24, tentative: false, dadFailed: false},
      {family: 4, iface: 'eth0', label: 'eth0:vip', address: '203.0.113.50', prefix: 24, tentative: false, dadFailed: false},
    ]);
  });

  test('/proc/net/dev interface names', () => {
    const text = 'Inter-|   Receive\n face |bytes\n    lo: 1 2 3\n  eth0: 4 5 6\nveth-a@x: 1\n';
    expect(parseInterfaceNames(text)).toEqual(['lo', 'eth0', 'veth-a@x']);
  });

  test('ip -j addr show, down links included', () => {
    const json = JSON.stringify([
      {ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], addr_info: [{family: 'inet', local: '127.0.0.1', prefixlen: 8, label: 'lo'}]},
      {
        ifname: 'eth0',
        flags: ['BROADCAST', 'MULTICAST', 'UP'],
        addr_info: [
          {family: 'inet', local: '203.0.113.50', prefixlen: 24, label: 'eth0:vip'},
          {family: 'inet6', local: '2001:DB8:1:0::50', prefixlen: 64, tentative: true},
        ],
      },
    ]);
    const snapshot = parseIpAddrJson(json);
    expect([...snapshot.running]).toEqual(['lo']);
    expect(snapshot.addresses).toEqual([
      {family: 4, iface: 'lo', address: '127.0.0.1', prefix: 8, tentative: false, dadFailed: false},
      {family: 4, iface: 'eth0', label: 'eth0:vip', address: '203.0.113.50', prefix: 24, tentative: false, dadFailed: false},
      {family: 6, iface: 'eth0', address: '2001:db8:1::50', prefix: 64, tentative: true, dadFailed: false},
    ]);
  });
});

describe('announcements', () => {
  test('arping sends gratuitous requests or replies from the address itself', () => {
    const base = {nic: 'eth0', address: '203.0.113.50', count: 5, intervalMs: 1000};
    expect(arpingArgs({...base, mode: 'request'})).toEqual(['-U', '-c', '5', '-i', '1', '-I', 'eth0', '-s', '203.0.113.50', '203.0.113.50']);
    expect(arpingArgs({...base, mode: 'reply'})[0]).toBe('-A');
  });
  test('arping intervals are whole seconds, rounded up', () => {
    const base = {nic: 'eth0', address: '203.0.113.50', count: 5, mode: 'request'} as const;
    expect(arpingArgs({...base, intervalMs: 200})[4]).toBe('1');
    expect(arpingArgs({...base, intervalMs: 2500})[4]).toBe('3');
  });
  test('send_ua gets interval, count, address, prefix and interface', () => {
    expect(sendUaArgs({nic: 'eth0', address: '2001:db8:1::50', prefix: 64, count: 3, intervalMs: 500})).toEqual([
      '-i', '500', '-c', '3', '2001:db8:1::50', '64', 'eth0',
    ]);
  });
});
