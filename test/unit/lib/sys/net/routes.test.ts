import {parseIpv4Routes, parseIpv6Routes} from '../../../../../lib/sys/net/routes';
import {formatAddress} from '../../../../../lib/sys/net/ip-address';

// Captured from a namespace: default via 203.0.113.254, 203.0.113.0/24 on eth0,
// 198.51.100.0/25 on eth1 metric 100, an unreachable route.
const PROC_NET_ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\tFE7100CB\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t007100CB\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth1\t006433C6\t00000000\t0001\t0\t0\t100\t80FFFFFF\t0\t0\t0
*\t0A6433C6\t00000000\t0201\t0\t0\t0\tFFFFFFFF\t0\t0\t0
`;

const PROC_NET_IPV6_ROUTE = `20010db8000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000100000000000000000001 00000400 00000002 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
20010db8000100000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001     eth0
ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000004 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

describe('routes', () => {
  test('parses /proc/net/route (little-endian hex, mask to prefix)', () => {
    const routes = parseIpv4Routes(PROC_NET_ROUTE).map((r) => ({...r, destination: formatAddress(r.destination)}));
    expect(routes).toEqual([
      {family: 4, iface: 'eth0', destination: '0.0.0.0', prefix: 0, gateway: true, reject: false, metric: 0},
      {family: 4, iface: 'eth0', destination: '203.0.113.0', prefix: 24, gateway: false, reject: false, metric: 0},
      {family: 4, iface: 'eth1', destination: '198.51.100.0', prefix: 25, gateway: false, reject: false, metric: 100},
      {family: 4, iface: '*', destination: '198.51.100.10', prefix: 32, gateway: false, reject: true, metric: 0},
    ]);
  });

  test('parses /proc/net/ipv6_route and drops local, multicast and unreachable entries', () => {
    const routes = parseIpv6Routes(PROC_NET_IPV6_ROUTE).map((r) => ({...r, destination: formatAddress(r.destination)}));
    expect(routes).toEqual([
      {family: 6, iface: 'eth0', destination: '2001:db8:1::', prefix: 64, gateway: false, reject: false, metric: 256},
      {family: 6, iface: 'eth0', destination: 'fe80::', prefix: 64, gateway: false, reject: false, metric: 256},
      {family: 6, iface: 'eth0', destination: '::', prefix: 0, gateway: true, reject: false, metric: 1024},
    ]);
  });
});
