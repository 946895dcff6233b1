import {execa} from 'execa';
import {existsSync, readFileSync} from 'node:fs';
import {runInstalledAgent, type AgentRunOptions} from '../helpers/installed-agent';
import {addressesIn, captureIn, createTestLink, createVethPair, execIn, hasAddress, ip, type TestLink} from '../helpers/netns';
import {sleep, waitUntil} from '../helpers/wait';

jest.setTimeout(60_000);

// The installed vip agent inside a namespace joined to a peer namespace by a
// veth pair; the peer watches the wire. Addresses from the documentation ranges only.
let link: TestLink;
let node = '';
let peer = '';
let counter = 0;

const vip = (action: string, params: AgentRunOptions['params'], extra: Omit<AgentRunOptions, 'params' | 'netns'> = {}) =>
  runInstalledAgent('vip', action, {netns: node, params, env: {OCF_RESKEY_CRM_meta_interval: '10000'}, ...extra});
const probe = (params: AgentRunOptions['params'], instance?: string) =>
  runInstalledAgent('vip', 'monitor', {netns: node, params, env: {OCF_RESKEY_CRM_meta_interval: '0'}, ...(instance ? {instance} : {})});
const instance = () => `it-vip-${process.pid}-${++counter}`;
const statePath = (inst: string, file: string) => `/run/resource-agents/hacloud/${inst}/${file}`;
// Gone, or a zombie waiting for an init that does not reap (as in some containers).
const gone = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
};

beforeAll(async () => {
  link = await createTestLink('hct-vip');
  ({node, peer} = link);
  await createVethPair({nsA: node, ifA: 'eth1', nsB: peer, ifB: 'eth1', addrA: '198.51.100.1/24', addrB: '198.51.100.2/24'});
});

afterAll(async () => link?.remove());

describe('IPv4', () => {
  test('start finds eth0 from the routing table, labels the address and announces it with gratuitous ARP', async () => {
    const inst = instance();
    const params = {ip: '203.0.113.50', iflabel: 'vip', arp_count: 3};
    const capture = captureIn(peer, 'eth0', ['arp']);
    await capture.ready;
    const started = await vip('start', params, {instance: inst});
    expect([started.code, started.reason]).toEqual([0, undefined]);
    const added = (await addressesIn(node, 'eth0')).find((a) => a.local === '203.0.113.50');
    expect(added).toMatchObject({prefixlen: 24, label: 'eth0:vip', broadcast: '203.0.113.255'});
    expect((await vip('monitor', params, {instance: inst})).code).toBe(0);
    // arping sends one packet a second; wait for all three.
    await sleep(3500);
    const wire = await capture.stop();
    const gratuitous = wire.split('\n').filter((l) => l.includes('Request who-has 203.0.113.50 (ff:ff:ff:ff:ff:ff) tell 203.0.113.50'));
    expect(gratuitous).toHaveLength(3);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth0', '203.0.113.50/24')).toBe(false);
  });

  test('monitor reports a removed address as not running and a second start restores it', async () => {
    const inst = instance();
    const params = {ip: '203.0.113.51', cidr_netmask: '255.255.255.0', nic: 'eth0', arp_count: 0};
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    await ip(['-n', node, 'addr', 'del', '203.0.113.51/24', 'dev', 'eth0']);
    expect((await vip('monitor', params, {instance: inst})).code).toBe(7);
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth0', '203.0.113.51/24')).toBe(true);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect((await vip('monitor', params, {instance: inst})).code).toBe(7);
  });

  test('the same rule picks eth1 for an address in its subnet', async () => {
    const inst = instance();
    const params = {ip: '198.51.100.50', arp_count: 0};
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth1', '198.51.100.50/24')).toBe(true);
    expect((await vip('monitor', params, {instance: inst})).code).toBe(0);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth1', '198.51.100.50/24')).toBe(false);
  });

  test('an address half there (wrong prefix, other interface) is a monitor failure with a reason', async () => {
    const inst = instance();
    await ip(['-n', node, 'addr', 'add', '203.0.113.52/32', 'dev', 'eth0']);
    const wrongPrefix = await vip('monitor', {ip: '203.0.113.52', cidr_netmask: 24}, {instance: inst});
    expect([wrongPrefix.code, wrongPrefix.reason]).toEqual([1, '203.0.113.52 on eth0 has prefix /32, expected /24']);
    // start repairs it in place.
    expect((await vip('start', {ip: '203.0.113.52', cidr_netmask: 24, arp_count: 0}, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth0', '203.0.113.52/24')).toBe(true);
    await ip(['-n', node, 'addr', 'add', '203.0.113.53/24', 'dev', 'eth1']);
    const elsewhere = await vip('monitor', {ip: '203.0.113.53', nic: 'eth0'}, {instance: inst});
    expect([elsewhere.code, elsewhere.reason]).toEqual([1, '203.0.113.53 is configured on eth1, not on eth0']);
    // stop removes the address wherever it is on this node.
    expect((await vip('stop', {ip: '203.0.113.53', nic: 'eth0'}, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth1', '203.0.113.53/24')).toBe(false);
    expect((await vip('stop', {ip: '203.0.113.52'}, {instance: inst})).code).toBe(0);
  });

  test('start returns at once while a long announcement goes on detached; stop ends the announcer', async () => {
    const inst = instance();
    const params = {ip: '203.0.113.54', arp_count: 30, arp_interval: 1000};
    const started = await vip('start', params, {instance: inst});
    expect(started.code).toBe(0);
    expect(started.ms).toBeLessThan(5000);
    const pid = Number(readFileSync(statePath(inst, 'announce.pid'), 'utf8').split('\n')[0]);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    expect(session).toBe(pid);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toMatch(/arping$/);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect(gone(pid)).toBe(true);
    expect(existsSync(statePath(inst, 'announce.pid'))).toBe(false);
  });

  test('a vanished interface is a failure for a recurring monitor, not running for a probe, nothing to stop', async () => {
    const inst = instance();
    await ip(['-n', node, 'link', 'add', 'eth9', 'type', 'veth', 'peer', 'name', 'eth9p']);
    await ip(['-n', node, 'addr', 'add', '198.51.100.129/25', 'dev', 'eth9']);
    await ip(['-n', node, 'link', 'set', 'eth9', 'up']);
    await ip(['-n', node, 'link', 'set', 'eth9p', 'up']);
    const params = {ip: '198.51.100.150', nic: 'eth9', arp_count: 0};
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    await ip(['-n', node, 'link', 'del', 'eth9']);
    const monitor = await vip('monitor', params, {instance: inst});
    expect([monitor.code, monitor.reason]).toEqual([1, 'interface eth9 does not exist']);
    expect((await probe(params, inst)).code).toBe(7);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
  });

  test('a link without carrier does not serve the address', async () => {
    const inst = instance();
    await ip(['-n', node, 'link', 'add', 'eth8', 'type', 'veth', 'peer', 'name', 'eth8p']);
    await ip(['-n', node, 'addr', 'add', '198.51.100.193/26', 'dev', 'eth8']);
    await ip(['-n', node, 'link', 'set', 'eth8', 'up']);
    await ip(['-n', node, 'link', 'set', 'eth8p', 'up']);
    const params = {ip: '198.51.100.200', arp_count: 0};
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    await ip(['-n', node, 'link', 'set', 'eth8p', 'down']);
    expect((await vip('monitor', params, {instance: inst})).code).toBe(7);
    // start cannot serve it on a dead link: a failure that names the link, so Pacemaker moves the VIP.
    const restart = await vip('start', params, {instance: inst});
    expect([restart.code, restart.reason]).toEqual([1, 'eth8 is down or has no carrier, so 198.51.100.200 is not served']);
    // stop still finds and removes the address on the dead link.
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth8', '198.51.100.200/26')).toBe(false);
    await ip(['-n', node, 'link', 'del', 'eth8']);
  });

  test('monitor executes no program', async () => {
    const inst = instance();
    const params = {ip: '203.0.113.55', arp_count: 0};
    expect((await vip('start', params, {instance: inst})).code).toBe(0);
    const traced = await execIn(node, [
      'strace', '-f', '-qq', '-e', 'trace=execve', '-e', 'signal=none',
      'env', '-i', 'OCF_RESKEY_ip=203.0.113.55', `OCF_RESOURCE_INSTANCE=${inst}`, 'OCF_RESKEY_CRM_meta_interval=10000',
      '/usr/lib/ocf/resource.d/hacloud/vip', 'monitor',
    ], {reject: false});
    expect(traced.exitCode).toBe(0);
    const execs = String(traced.stderr).split('\n').filter((l) => l.includes('execve('));
    // env itself, then the agent: nothing after.
    expect(execs).toHaveLength(2);
    expect(execs[1]).toContain('/usr/lib/ocf/resource.d/hacloud/vip');
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
  });
});

describe('IPv6', () => {
  test('start waits for duplicate address detection, then sends unsolicited neighbour advertisements', async () => {
    const inst = instance();
    const params = {ip: '2001:db8:1::50', arp_count: 3, arp_interval: 300};
    const capture = captureIn(peer, 'eth0', ['icmp6 and ip6[40] == 136']);
    await capture.ready;
    const started = await vip('start', params, {instance: inst});
    expect([started.code, started.reason]).toEqual([0, undefined]);
    const added = (await addressesIn(node, 'eth0')).find((a) => a.local === '2001:db8:1::50');
    expect(added).toMatchObject({prefixlen: 64});
    expect(added?.tentative).toBeFalsy();
    expect((await vip('monitor', params, {instance: inst})).code).toBe(0);
    await sleep(1500);
    const wire = await capture.stop();
    const adverts = wire.split('\n').filter((l) => l.includes('neighbor advertisement, tgt is 2001:db8:1::50'));
    expect(adverts.length).toBe(3);
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
    expect(await hasAddress(node, 'eth0', '2001:db8:1::50/64')).toBe(false);
  });

  test('a duplicate address fails start, which removes it again', async () => {
    const inst = instance();
    await ip(['-n', peer, 'addr', 'add', '2001:db8:1::99/64', 'dev', 'eth0']);
    await waitUntil(async () => !(await addressesIn(peer, 'eth0')).some((a) => a.tentative), {timeoutMs: 10_000, what: 'DAD on peer'});
    const started = await vip('start', {ip: '2001:db8:1::99', arp_count: 0}, {instance: inst});
    expect(started.code).toBe(1);
    expect(started.reason).toContain('duplicate address detection failed');
    expect(await hasAddress(node, 'eth0', '2001:db8:1::99/64')).toBe(false);
  });

  test('preferred_lft 0 deprecates the address; nodad skips detection', async () => {
    const inst = instance();
    const params = {ip: '2001:db8:1::51', preferred_lft: 0, nodad: true, arp_count: 0};
    const started = await vip('start', params, {instance: inst});
    expect(started.code).toBe(0);
    const added = (await addressesIn(node, 'eth0')).find((a) => a.local === '2001:db8:1::51');
    expect(added).toMatchObject({deprecated: true, nodad: true, preferred_life_time: 0});
    expect((await vip('stop', params, {instance: inst})).code).toBe(0);
  });
});

describe('validation on this node', () => {
  test('validate-all: 0 when usable, 5 without the interface, 6 for bad syntax', async () => {
    expect((await vip('validate-all', {ip: '203.0.113.60'})).code).toBe(0);
    const missing = await vip('validate-all', {ip: '203.0.113.60', nic: 'eth7'});
    expect([missing.code, missing.reason]).toEqual([5, 'interface eth7 does not exist']);
    const noRoute = await vip('validate-all', {ip: '198.18.0.1'});
    expect(noRoute.code).toBe(5);
    expect((await vip('validate-all', {ip: '203.0.113.60', cidr_netmask: 'x'})).code).toBe(6);
  });

  test('start without a usable interface is 5, a probe is 7', async () => {
    const start = await vip('start', {ip: '203.0.113.60', nic: 'eth7'});
    expect([start.code, start.reason]).toEqual([5, 'interface eth7 does not exist']);
    expect((await probe({ip: '203.0.113.60', nic: 'eth7'})).code).toBe(7);
  });

  test('start without ip (iproute2) is 5; a probe still answers 7', async () => {
    const env = {OCF_TESTER_FAIL_HAVE_BINARY: '1'};
    const start = await runInstalledAgent('vip', 'start', {netns: node, params: {ip: '203.0.113.61'}, env});
    expect([start.code, start.reason]).toEqual([5, 'ip (iproute2) not found']);
    const probed = await runInstalledAgent('vip', 'monitor', {netns: node, params: {ip: '203.0.113.61'}, env: {...env, OCF_RESKEY_CRM_meta_interval: '0'}});
    expect(probed.code).toBe(7);
  });

  test('a missing ip is 6 for start, 0 for stop', async () => {
    expect((await vip('start', {})).code).toBe(6);
    expect((await vip('stop', {})).code).toBe(0);
  });

  test('start and stop need root', async () => {
    const result = await execa('runuser', ['-u', 'nobody', '--', 'env', 'OCF_RESKEY_ip=203.0.113.62', '/usr/lib/ocf/resource.d/hacloud/vip', 'start'], {reject: false});
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('ocf-exit-reason:start must run as root');
  });
});
