import {vip} from '../../../agents/vip';
import {runAction} from '../../helpers/run-dispatch';

// Syntax checks only (validate-all at OCF_CHECK_LEVEL 0 looks at nothing on this node).
const validate = (params: Record<string, string>) =>
  runAction(vip, 'validate-all', {
    OCF_CHECK_LEVEL: '0',
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
  });

describe('vip parameter syntax', () => {
  test.each([
    [{ip: '203.0.113.50'}],
    [{ip: '203.0.113.50', cidr_netmask: '255.255.255.0', nic: 'eth0', iflabel: 'vip', broadcast: '+'}],
    [{ip: '2001:db8::50', cidr_netmask: '64', preferred_lft: '0', nodad: 'true'}],
  ])('%j is valid', async (params) => {
    expect((await validate(params)).code).toBe(0);
  });

  test.each([
    [{}, 'required parameter ip is not set'],
    [{ip: '203.0.113.500'}, 'parameter ip="203.0.113.500": is not an IPv4 or IPv6 address'],
    [{ip: '203.0.113.50', cidr_netmask: '33'}, 'cidr_netmask=33 is not a prefix length for IPv4'],
    [{ip: '2001:db8::50', cidr_netmask: '255.255.255.0'}, 'cidr_netmask=255.255.255.0 is not a prefix length for IPv6'],
    [{ip: '203.0.113.50', nic: 'eth0:1'}, 'nic=eth0:1 is not an interface name (use iflabel for a label)'],
    [{ip: '203.0.113.50', nic: 'eth0', iflabel: 'a-very-long-one'}, 'eth0:a-very-long-one is longer than 15 characters'],
    [{ip: '2001:db8::50', iflabel: 'x'}, 'iflabel applies to IPv4 addresses only'],
    [{ip: '2001:db8::50', broadcast: '+'}, 'broadcast applies to IPv4 addresses only'],
    [{ip: '203.0.113.50', broadcast: 'everyone'}, 'broadcast=everyone is not an IPv4 address, + or -'],
    [{ip: '203.0.113.50', preferred_lft: 'soon'}, 'preferred_lft=soon is neither forever nor seconds'],
    [{ip: '203.0.113.50', arp_count: '-1'}, 'parameter arp_count="-1": must be at least 0'],
    [{ip: '203.0.113.50', arp_mode: 'loud'}, 'parameter arp_mode="loud": must be one of request, reply'],
  ])('%j is a configuration error: %s', async (params, reason) => {
    const out = await validate(params);
    expect([out.code, out.reason]).toEqual([6, reason]);
  });

  test('a bad value makes stop succeed and a probe report not running', async () => {
    const env = {OCF_RESKEY_ip: '203.0.113.50', OCF_RESKEY_cidr_netmask: '99'};
    expect((await runAction(vip, 'stop', env)).code).toBe(0);
    expect((await runAction(vip, 'monitor', env)).code).toBe(7);
  });
});
