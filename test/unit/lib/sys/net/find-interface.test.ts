import {findInterface} from '../../../../../lib/sys/net/find-interface';
import {parseAddress, type IpAddress} from '../../../../../lib/sys/net/ip-address';
import type {Route} from '../../../../../lib/sys/net/routes';

const a = (text: string) => parseAddress(text) as IpAddress;
const route = (iface: string, cidr: string, extra: Partial<Route> = {}): Route => {
  const [dest = '', prefix = '0'] = cidr.split('/');
  const destination = a(dest);
  return {family: destination.family, iface, destination, prefix: Number(prefix), gateway: false, reject: false, metric: 0, ...extra};
};
const names = ['lo', 'eth0', 'eth1', 'eth2'];

describe('findInterface', () => {
  test('picks the directly connected route covering the address', () => {
    const routes = [route('eth0', '0.0.0.0/0', {gateway: true}), route('eth1', '203.0.113.0/24')];
    expect(findInterface({address: a('203.0.113.50')}, routes, names)).toEqual({ok: true, nic: 'eth1', prefix: 24});
  });

  test('prefers the longest prefix, then the lowest metric', () => {
    const routes = [
      route('eth0', '203.0.113.0/24'),
      route('eth1', '203.0.113.0/25', {metric: 200}),
      route('eth2', '203.0.113.0/25', {metric: 100}),
    ];
    expect(findInterface({address: a('203.0.113.50')}, routes, names)).toEqual({ok: true, nic: 'eth2', prefix: 25});
  });

  test('never uses gateway, default or unreachable routes', () => {
    const routes = [
      route('eth0', '0.0.0.0/0'),
      route('eth1', '203.0.113.0/24', {gateway: true}),
      route('eth2', '203.0.113.50/32', {reject: true}),
    ];
    const choice = findInterface({address: a('203.0.113.50')}, routes, names);
    expect(choice).toMatchObject({ok: false, problem: 'no-route'});
  });

  test('two equal routes on different interfaces are ambiguous, not a guess', () => {
    const routes = [route('eth0', '203.0.113.0/24'), route('eth1', '203.0.113.0/24')];
    expect(findInterface({address: a('203.0.113.50')}, routes, names)).toMatchObject({ok: false, problem: 'ambiguous'});
    expect(findInterface({address: a('203.0.113.50'), nic: 'eth1'}, routes, names)).toEqual({ok: true, nic: 'eth1', prefix: 24});
  });

  test('cidr_netmask wins over the route prefix and must not be wider than the route', () => {
    const routes = [route('eth0', '203.0.113.0/24')];
    expect(findInterface({address: a('203.0.113.50'), prefix: 32}, routes, names)).toEqual({ok: true, nic: 'eth0', prefix: 32});
    expect(findInterface({address: a('203.0.113.50'), prefix: 16}, routes, names)).toMatchObject({ok: false, problem: 'no-route'});
  });

  test('a nic that does not exist is reported as such', () => {
    expect(findInterface({address: a('203.0.113.50'), nic: 'eth9'}, [], names)).toMatchObject({
      ok: false,
      problem: 'nic-missing',
      message: 'interface eth9 does not exist',
    });
  });

  test('nic and prefix given need no route', () => {
    expect(findInterface({address: a('198.51.100.9'), nic: 'eth2', prefix: 28}, [], names)).toEqual({ok: true, nic: 'eth2', prefix: 28});
  });

  test('loopback addresses go to lo', () => {
    expect(findInterface({address: a('127.0.0.3')}, [], names)).toEqual({ok: true, nic: 'lo', prefix: 8});
  });

  test('IPv6 uses the IPv6 routes only', () => {
    const routes = [route('eth0', '203.0.113.0/24'), route('eth1', '2001:db8:1::/64')];
    expect(findInterface({address: a('2001:db8:1::50')}, routes, names)).toEqual({ok: true, nic: 'eth1', prefix: 64});
  });
});
