// The two-node lab itself: two namespace nodes with their own corosync and
// Pacemaker on a bridged lab network, real fencing through the lab's power
// switch, a VIP that follows the surviving node after a power-off and after a
// network partition (the tie-breaker decides who survives).
import {isStartedOn, type ClusterStatus} from './crm-mon';
import {requireOcfAgent} from './harness';
import {type Lab, startLab} from './lab';
import {addressesIn} from '../helpers/netns';
import {waitUntil} from '../helpers/wait';
import {setInBeforeAll} from '../helpers/set-in-before-all';

jest.setTimeout(300_000);

const VIP = '203.0.113.10';
let lab: Lab | undefined;

const l = setInBeforeAll(() => lab, 'lab did not start (see beforeAll)');

// The node where the VIP's start has completed (crm_mon shows a pending start as active too).
const vipHolder = (s: ClusterStatus): string | undefined => s.nodes.map((n) => n.name).find((n) => isStartedOn(s, 'vip', n));

// Nodes whose eth0 carries the VIP, read from their network namespaces.
async function nodesWithVip(): Promise<string[]> {
  const found: string[] = [];
  for (const node of l().nodes) {
    if ((await addressesIn(l().netns(node), 'eth0')).some((a) => a.local === VIP)) found.push(node);
  }
  return found;
}

const answers = async (): Promise<boolean> => (await l().client(['ping', '-c', '1', '-W', '1', VIP])).exitCode === 0;

beforeAll(async () => {
  requireOcfAgent('ocf:hacloud:vip');
  lab = await startLab({nodes: ['ctl1', 'ctl2']});
  await lab.configure(`primitive vip ocf:hacloud:vip params ip=${VIP} cidr_netmask=24 op monitor interval=5s timeout=20s\n`);
}, 240_000);

afterAll(async () => lab?.stop(), 180_000);

test('both nodes are members of one quorate partition and every fence device runs on the other node', async () => {
  for (const node of l().nodes) {
    const s = await l().status(node);
    expect(s.quorum).toBe(true);
    expect(s.nodes.filter((n) => n.online).map((n) => n.name).sort()).toEqual(['ctl1', 'ctl2']);
    expect(s.resources.find((r) => r.id === `fence_${node}`)?.nodes).not.toContain(node);
  }
  const s = await l().waitFor((st) => vipHolder(st) !== undefined, {what: 'vip started'});
  // Exactly the node Pacemaker names carries the address (polled: crm_mon shows a pending start as Started).
  await waitUntil(async () => (await nodesWithVip()).join() === vipHolder(s), {what: `the VIP on ${vipHolder(s)} only`, timeoutMs: 20_000, intervalMs: 200});
  expect(await answers()).toBe(true);
});

test('powering off the VIP holder: the survivor fences it, takes the VIP, and the node rejoins after its reboot', async () => {
  const victim = vipHolder(await l().status()) as string;
  const survivor = l().nodes.find((n) => n !== victim) as string;
  const t0 = Date.now();
  await l().powerOff(victim);
  await l().waitFor((s) => isStartedOn(s, 'vip', survivor), {what: `vip on ${survivor}`, on: survivor, timeoutMs: 60_000});
  await waitUntil(answers, {what: 'the VIP answering', timeoutMs: 20_000, intervalMs: 200});
  console.log(`VIP answering from ${survivor} ${Date.now() - t0} ms after ${victim} was powered off`);
  expect(l().fenceRequests().some((r) => r.node === victim && r.at >= t0)).toBe(true);
  // stonith_admin's history, as Pacemaker recorded it.
  const history = await l().exec(survivor, ['stonith_admin', '--history', victim, '--output-as=xml']);
  expect(history.stdout).toMatch(new RegExp(`target="${victim}"[^>]*status="success"|status="success"[^>]*target="${victim}"`));
  // Fenced with `reboot`: the broker powers it on again and it rejoins.
  await l().waitFor((s) => s.nodes.filter((n) => n.online).length === 2, {what: `${victim} back online`, on: survivor, timeoutMs: 90_000});
  expect(await nodesWithVip()).toEqual([survivor]);
});

test('a network partition: the tie-breaker lets ctl1 fence ctl2; one VIP, on ctl1', async () => {
  // Put the VIP on ctl2 first, so the partition has something to fight over.
  const before = await l().waitFor((st) => vipHolder(st) !== undefined, {what: 'vip started'});
  if (vipHolder(before) !== 'ctl2') {
    await l().crm('ctl1', ['resource', 'move', 'vip', 'ctl2']);
    await l().waitFor((s) => isStartedOn(s, 'vip', 'ctl2'), {what: 'vip on ctl2'});
    await l().crm('ctl1', ['resource', 'clear', 'vip']);
  }
  await waitUntil(async () => (await nodesWithVip()).join() === 'ctl2', {what: 'the VIP on ctl2', timeoutMs: 20_000, intervalMs: 200});
  const t0 = Date.now();
  await l().unplug('ctl2');
  // ctl2's device has no delay, ctl1's waits 3 s: ctl1 shoots first.
  await waitUntil(async () => !l().isOn('ctl2') || l().fenceRequests().some((r) => r.node === 'ctl2' && r.at >= t0),
    {what: 'ctl2 fenced', timeoutMs: 60_000});
  await l().waitFor((s) => isStartedOn(s, 'vip', 'ctl1'), {what: 'vip on ctl1', on: 'ctl1', timeoutMs: 60_000});
  expect(l().fenceRequests().filter((r) => r.at >= t0).map((r) => r.node)).not.toContain('ctl1');
  expect(l().isOn('ctl1')).toBe(true);
  expect(await nodesWithVip()).toEqual(['ctl1']);
  // ctl2 boots again while still unplugged: without its peer (wait_for_all) it runs nothing.
  await waitUntil(async () => l().isOn('ctl2'), {what: 'ctl2 powered on again', timeoutMs: 30_000});
  await l().plug('ctl2');
  await l().waitFor((s) => s.nodes.filter((n) => n.online).length === 2, {what: 'ctl2 rejoined', on: 'ctl1', timeoutMs: 90_000});
  expect(await nodesWithVip()).toEqual(['ctl1']);
});
