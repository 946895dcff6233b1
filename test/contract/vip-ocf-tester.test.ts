import {execa} from 'execa';
import {AGENT_DIR} from '../helpers/installed-agent';
import {createNetns, createVethPair, deleteNetns, uniqueName} from '../helpers/netns';
import {waitUntil} from '../helpers/wait';
import {addressesIn} from '../helpers/netns';

jest.setTimeout(120_000);

// ocf-tester on vip inside a namespace of its own: never on this machine's
// interfaces, where nic auto-detection would find the real network.
describe('ocf-tester on vip', () => {
  const node = uniqueName('hct-oct');
  const peer = uniqueName('hct-ocp');

  beforeAll(async () => {
    await createNetns(node);
    await createNetns(peer);
    await createVethPair({
      nsA: node,
      ifA: 'eth0',
      nsB: peer,
      ifB: 'eth0',
      addrA: ['203.0.113.1/24', '2001:db8:1::1/64'],
      addrB: ['203.0.113.2/24', '2001:db8:1::2/64'],
    });
    await waitUntil(async () => !(await addressesIn(node, 'eth0')).some((a) => a.tentative), {timeoutMs: 10_000, what: 'IPv6 DAD on eth0'});
  });
  afterAll(async () => {
    await deleteNetns(node);
    await deleteNetns(peer);
  });

  test.each([
    ['IPv4 with nic', ['ip=203.0.113.50', 'nic=eth0']],
    ['IPv4, nic from the routing table', ['ip=203.0.113.51', 'cidr_netmask=24']],
    ['IPv4 with a label', ['ip=203.0.113.52', 'iflabel=vip']],
    ['IPv6 with nic', ['ip=2001:db8:1::50', 'nic=eth0']],
    ['IPv6, nic from the routing table', ['ip=2001:db8:1::51']],
  ])('%s: zero failures', async (_what, params) => {
    const options = params.flatMap((p) => ['-o', p]);
    const result = await execa('ip', ['netns', 'exec', node, 'ocf-tester', '-n', uniqueName('oct'), ...options, `${AGENT_DIR}/vip`], {
      reject: false,
      all: true,
    });
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    // ocf-tester leaves the resource stopped.
    const left = await addressesIn(node, 'eth0');
    expect(left.map((a) => a.local)).not.toContain(params[0]?.slice(3));
  });
});
