import {execa} from 'execa';
import {AGENT_DIR} from '../helpers/installed-agent';
import {addressesIn, createTestLink, uniqueName, type TestLink} from '../helpers/netns';

jest.setTimeout(120_000);

// ocf-tester on vip inside a namespace of its own: never on this machine's
// interfaces, where nic auto-detection would find the real network.
describe('ocf-tester on vip', () => {
  let link: TestLink;
  beforeAll(async () => {
    link = await createTestLink('hct-oct');
  });
  afterAll(async () => link?.remove());

  test.each([
    ['IPv4 with nic', ['ip=203.0.113.50', 'nic=eth0']],
    ['IPv4, nic from the routing table', ['ip=203.0.113.51', 'cidr_netmask=24']],
    ['IPv4 with a label', ['ip=203.0.113.52', 'iflabel=vip']],
    ['IPv6 with nic', ['ip=2001:db8:1::50', 'nic=eth0']],
    ['IPv6, nic from the routing table', ['ip=2001:db8:1::51']],
  ])('%s: zero failures', async (_what, params) => {
    const options = params.flatMap((p) => ['-o', p]);
    const result = await execa('ip', ['netns', 'exec', link.node, 'ocf-tester', '-n', uniqueName('oct'), ...options, `${AGENT_DIR}/vip`], {
      reject: false,
      all: true,
    });
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    // ocf-tester leaves the resource stopped.
    const left = await addressesIn(link.node, 'eth0');
    expect(left.map((a) => a.local)).not.toContain(params[0]?.slice(3));
  });
});
