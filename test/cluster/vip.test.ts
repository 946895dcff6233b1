// Cluster test of the vip agent: Pacemaker starts the address on the interface
// the routing table picks, notices when it is removed by hand and restores it,
// and removes it on stop. HCT_VIP_AGENT overrides the agent (e.g.
// ocf:heartbeat:IPaddr2 to check the harness itself).
import {existsSync} from 'node:fs';
import {addressesIn, captureIn, createNetns, createVethPair, delAddress, deleteNetns, execIn, hasAddress,
  netnsExists, uniqueName} from '../helpers/netns';
import {secondsSince, waitUntil} from '../helpers/wait';
import {failCount, failuresOf, findResource, isStartedOn, startFailure} from './crm-mon';
import {type Cluster, requireOcfAgent, startCluster} from './harness';

const AGENT = process.env.HCT_VIP_AGENT ?? 'ocf:hacloud:vip';
const VIP = '203.0.113.50';
const VIP_CIDR = `${VIP}/24`;
const RSC = 'vip';
// A gratuitous ARP request or reply: sender and target are both the VIP.
const V = VIP.replace(/\./g, '\\.');
const GARP = new RegExp(`who-has ${V}( \\([0-9a-f:]+\\))? tell ${V}|Reply ${V} is-at`);

jest.setTimeout(240_000);

let cluster: Cluster | undefined;
let peer: string | undefined;
const timings: string[] = [];

const c = (): Cluster => {
  if (!cluster) throw new Error('cluster did not start (see beforeAll)');
  return cluster;
};

beforeAll(async () => {
  requireOcfAgent(AGENT);
  cluster = await startCluster();
  timings.push(`cluster up: ${(cluster.startupMs / 1000).toFixed(1)} s`);
  peer = uniqueName();
  await createNetns(peer);
  await createVethPair({nsA: cluster.netns, ifA: 'eth0', addrA: '203.0.113.1/24',
    nsB: peer, ifB: 'eth0', addrB: '203.0.113.2/24'});
}, 150_000);

afterAll(async () => {
  try {
    await cluster?.stop();
  } finally {
    if (peer) await deleteNetns(peer);
    if (timings.length) process.stderr.write(`vip.test timings (${AGENT}): ${timings.join('; ')}\n`);
  }
}, 120_000);

test(`Pacemaker starts ${AGENT}; the address appears on eth0, announced by gratuitous ARP`, async () => {
  const t0 = Date.now();
  const arp = captureIn(peer ?? '', 'eth0', ['arp']);
  let arpText = '';
  try {
    await arp.ready;
    await c().crm(['configure', 'primitive', RSC, AGENT,
      'params', `ip=${VIP}`, 'cidr_netmask=24', 'op', 'monitor', 'interval=5s']);
    const s = await c().waitFor((st) => isStartedOn(st, RSC, c().nodeName), {
      what: `${RSC} Started on ${c().nodeName}`, timeoutMs: 60_000, failIf: (st) => startFailure(st, RSC),
    });
    timings.push(`vip started: ${secondsSince(t0)} s`);
    expect(findResource(s, RSC)).toMatchObject({agent: AGENT, role: 'Started', failed: false});
    expect(await addressesIn(c().netns, 'eth0')).toEqual(
      expect.arrayContaining([expect.objectContaining({family: 'inet', local: VIP, prefixlen: 24})]));
    await waitUntil(async () => GARP.test(await arp.peek()), {
      what: `gratuitous ARP for ${VIP} seen by the peer`, timeoutMs: 10_000, intervalMs: 200,
    }).catch(() => undefined); // asserted below, with the capture in the message
  } finally {
    arpText = await arp.stop();
  }
  expect(arpText).toMatch(GARP);
  await execIn(peer ?? '', ['ping', '-c', '1', '-W', '2', VIP]);
});

test('an address removed by hand is noticed by the monitor and restored', async () => {
  const t0 = Date.now();
  await delAddress(c().netns, 'eth0', VIP_CIDR);
  const s = await c().waitFor((st) => failCount(st, RSC) > 0 || failuresOf(st, RSC, 'monitor').length > 0, {
    what: `a failed monitor / fail-count for ${RSC}`, timeoutMs: 60_000,
  });
  expect(failuresOf(s, RSC, 'monitor')[0]).toMatchObject({node: c().nodeName, exitCode: 7});
  timings.push(`failure seen: ${secondsSince(t0)} s`);
  await waitUntil(() => hasAddress(c().netns, 'eth0', VIP_CIDR), {
    what: `${VIP_CIDR} back on eth0`, timeoutMs: 60_000, intervalMs: 100,
    diagnose: () => c().diagnostics(),
  });
  timings.push(`vip restored: ${secondsSince(t0)} s`);
  await c().waitFor((st) => isStartedOn(st, RSC, c().nodeName), {
    what: `${RSC} Started again`, timeoutMs: 30_000, failIf: (st) => startFailure(st, RSC),
  });
});

test('stopping and deleting the resource removes the address', async () => {
  await c().crm(['resource', 'stop', RSC]);
  await c().waitFor((st) => findResource(st, RSC)?.role === 'Stopped' && !findResource(st, RSC)?.active, {
    what: `${RSC} Stopped`, timeoutMs: 60_000,
  });
  expect(await hasAddress(c().netns, 'eth0', VIP_CIDR)).toBe(false);
  await c().crm(['configure', 'delete', RSC]);
  await c().waitFor((st) => findResource(st, RSC) === undefined, {what: `${RSC} deleted`, timeoutMs: 30_000});
  expect(await hasAddress(c().netns, 'eth0', VIP_CIDR)).toBe(false);
  // The base address must survive the agent.
  expect(await hasAddress(c().netns, 'eth0', '203.0.113.1/24')).toBe(true);
});

test('the cluster stops cleanly and leaves nothing behind', async () => {
  const {netns, root} = c();
  const t0 = Date.now();
  await c().stop();
  timings.push(`cluster stop: ${secondsSince(t0)} s`);
  expect(await netnsExists(netns)).toBe(false);
  expect(existsSync(root)).toBe(false);
});
