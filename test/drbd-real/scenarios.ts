import {NODES, RESOURCE, type NodeName} from './config';
import type {Checks} from './check';
import {peerOf, type Cluster} from './cluster';

// The scenarios, in the order they run on one booted pair: each leaves the
// pair healthy with ctl1 Primary for the next, except `manual`, which
// recovers by hand at its end.

export interface Scenario {
  name: string;
  run(c: Cluster, check: Checks): Promise<void>;
}

const OCF_SUCCESS = 0;
const OCF_NOT_RUNNING = 7;
const OCF_RUNNING_PROMOTED = 8;
const STATE_DIR = '/var/lib/hacloud/drbd';
const PRESERVED_DIR = `${STATE_DIR}/preserved`;
const MIB = 1024;

const healthy: Scenario = {
  name: 'healthy pair: start, promote, demote, stop, monitor codes',
  async run(c, check) {
    for (const n of NODES) await c.must(n, ['drbdadm', 'create-md', RESOURCE]);
    for (const n of NODES) check.equal(`${n} monitor before start`, (await c.agent(n, 'monitor')).code, OCF_NOT_RUNNING);
    for (const n of NODES) check.equal(`${n} start`, (await c.agent(n, 'start')).code, OCF_SUCCESS);
    await c.waitCstate(NODES, ['Connected'], 30);
    check.equal('fresh disks', (await c.state('ctl1')).dstate, 'Inconsistent/Inconsistent');
    // Skip the initial full sync: both disks are zeros.
    await c.must('ctl1', ['drbdadm', 'new-current-uuid', '--clear-bitmap', RESOURCE]);
    await c.waitHealthy(30);
    for (const n of NODES) {
      check.equal(`${n} monitor Secondary`, (await c.agent(n, 'monitor')).code, OCF_SUCCESS);
      check.equal(`${n} promotion score (UpToDate, peer known)`, await c.score(n), '10000');
    }
    check.equal('ctl1 promote', (await c.promote('ctl1', [])).code, OCF_SUCCESS);
    check.equal('ctl1 role', (await c.state('ctl1')).role, 'Primary/Secondary');
    await c.snapshot('healthy, ctl1 Primary');
    check.equal('ctl1 monitor Primary', (await c.agent('ctl1', 'monitor')).code, OCF_RUNNING_PROMOTED);
    check.equal('ctl2 monitor Secondary', (await c.agent('ctl2', 'monitor')).code, OCF_SUCCESS);
    check.equal('write 1 MiB on the Primary', (await c.write('ctl1', MIB, 0)).code, 0);
    check.that('a write on the Secondary is refused', (await c.write('ctl2', 4, 0)).code !== 0, 'exit 0');
    check.equal('replicated: ctl2 data = ctl1 data', await c.dataSum('ctl2'), await c.dataSum('ctl1'));
    check.equal('ctl1 demote', (await c.demote('ctl1', ['ctl1'])).code, OCF_SUCCESS);
    check.equal('ctl1 monitor after demote', (await c.agent('ctl1', 'monitor')).code, OCF_SUCCESS);
    check.equal('ctl2 stop', (await c.agent('ctl2', 'stop')).code, OCF_SUCCESS);
    check.equal('ctl2 monitor after stop', (await c.agent('ctl2', 'monitor')).code, OCF_NOT_RUNNING);
    check.equal('ctl2 score deleted on stop', await c.score('ctl2'), undefined);
    check.equal('ctl2 stop again (idempotent)', (await c.agent('ctl2', 'stop')).code, OCF_SUCCESS);
    check.equal('ctl1 monitor, peer down', (await c.agent('ctl1', 'monitor')).code, OCF_SUCCESS);
    check.equal('ctl1 promotion score (UpToDate, peer unknown)', await c.score('ctl1'), '1000');
    check.equal('ctl2 start again', (await c.agent('ctl2', 'start')).code, OCF_SUCCESS);
    await c.waitHealthy(60);
    check.equal('ctl1 promote again', (await c.promote('ctl1', [])).code, OCF_SUCCESS);
  },
};

function linkLoss(withWrites: boolean): Scenario {
  return {
    name: `link loss and reconnect ${withWrites ? 'with' : 'without'} writes`,
    async run(c, check) {
      await c.link(false);
      const seen = await c.waitCstate(NODES, ['WFConnection'], 60);
      c.note(`link loss seen by both after ${seen.toFixed(1)} s`);
      await c.snapshot(`link cut (${withWrites ? 'with' : 'without'} writes)`);
      check.equal('ctl1 dstate while cut', (await c.state('ctl1')).dstate, 'UpToDate/DUnknown');
      check.equal('ctl1 monitor while cut', (await c.agent('ctl1', 'monitor')).code, OCF_RUNNING_PROMOTED);
      check.equal('ctl2 monitor while cut', (await c.agent('ctl2', 'monitor')).code, OCF_SUCCESS);
      check.equal('ctl2 score while cut (UpToDate, peer unknown)', await c.score('ctl2'), '1000');
      if (withWrites) check.equal('write 2 MiB on ctl1 while cut', (await c.write('ctl1', 2 * MIB, 4 * MIB)).code, 0);
      const before = await c.dataSum('ctl1');
      await c.link(true);
      const back = await c.waitHealthy(120);
      c.note(`reconnected${withWrites ? ' and resynced' : ''} after ${back.toFixed(1)} s`);
      check.equal('ctl2 data = ctl1 data after reconnect', await c.dataSum('ctl2'), before);
      check.equal('ctl1 monitor after reconnect', (await c.agent('ctl1', 'monitor')).code, OCF_RUNNING_PROMOTED);
      check.equal('ctl2 monitor after reconnect', (await c.agent('ctl2', 'monitor')).code, OCF_SUCCESS);
      check.equal('ctl2 score after reconnect', await c.score('ctl2'), '10000');
    },
  };
}

interface SplitBrainCase {
  policy: string;
  // KiB each node writes after the split (ctl1 was Primary before it, ctl2 is promoted during it).
  writes: Record<NodeName, number>;
  victim: NodeName | undefined;
  // Primaries when the link comes back: 2 (both still Primary: Pacemaker
  // demotes the one without a score) or 0 (both demoted during the split:
  // Pacemaker promotes, which is the agent's promote path).
  primaries: 0 | 2;
}

const markersOn = async (c: Cluster, n: NodeName) => (await c.ls(n, STATE_DIR)).filter((f) => f.startsWith(`${RESOURCE}.split-brain.`));

// Both nodes Primary while the link is down, writes on both, link restored:
// DRBD detects the split brain and drops the connection (after-sb-*
// disconnect); the agent's monitor, demote, notify and promote paths recover it.
function splitBrain(sb: SplitBrainCase): Scenario {
  return {
    name: `split brain, policy ${sb.policy}, ${sb.primaries} primaries at reconnect`,
    async run(c, check) {
      c.policy = sb.policy;
      await c.link(false);
      await c.waitCstate(NODES, ['WFConnection'], 60);
      for (const n of NODES) await c.agent(n, 'monitor');
      // The cluster split too: ctl2's side promotes it.
      check.equal('ctl2 promoted during the split', (await c.promote('ctl2', [])).code, OCF_SUCCESS);
      check.equal(`ctl1 writes ${sb.writes.ctl1} KiB`, (await c.write('ctl1', sb.writes.ctl1, 8 * MIB)).code, 0);
      check.equal(`ctl2 writes ${sb.writes.ctl2} KiB`, (await c.write('ctl2', sb.writes.ctl2, 16 * MIB)).code, 0);
      const sums: Record<NodeName, string> = {ctl1: await c.dataSum('ctl1'), ctl2: await c.dataSum('ctl2')};
      check.that('the two sides diverged', sums.ctl1 !== sums.ctl2, sums);
      if (sb.primaries === 0) {
        for (const n of NODES) check.equal(`${n} demoted during the split`, (await c.demote(n, [n])).code, OCF_SUCCESS);
      }
      await c.link(true);
      const detected = await c.waitCstate(NODES, ['StandAlone'], 90);
      c.note(`split brain (${sb.policy}): both StandAlone ${detected.toFixed(1)} s after the link came back`);
      await c.snapshot(`split brain detected (${sb.policy}, ${sb.primaries} primaries)`);
      for (const n of NODES) check.that(`${n} split-brain handler left a marker`, (await markersOn(c, n)).length > 0, []);
      if (!sb.victim) {
        const codes: number[] = [];
        for (let round = 0; round < 2; round++) for (const n of NODES) codes.push((await c.agent(n, 'monitor')).code);
        check.equal('monitor codes after the split brain', codes, [8, 8, 8, 8]);
        await manualCheck(c, check, sums);
        return;
      }
      const victim = sb.victim;
      const survivor = peerOf(victim);
      if (sb.primaries === 2) {
        // Two rounds: the agent acts only once both sides froze their facts at the split.
        const codes: number[] = [];
        for (let round = 0; round < 2; round++) for (const n of NODES) codes.push((await c.agent(n, 'monitor')).code);
        check.equal('monitor codes with both Primary', codes, [8, 8, 8, 8]);
        const scores = {ctl1: await c.score('ctl1'), ctl2: await c.score('ctl2')};
        const expected = {ctl1: survivor === 'ctl1' ? '10000' : undefined, ctl2: survivor === 'ctl2' ? '10000' : undefined};
        check.equal(`only the survivor ${survivor} keeps a score`, scores, expected);
        // Two promoted instances: Pacemaker demotes the one without a score.
        check.equal(`demote victim ${victim}`, (await c.demote(victim, NODES.slice())).code, OCF_SUCCESS);
      } else {
        // Monitors, the victim's first: the survivor's then decides and reopens its connection.
        const codes = [(await c.agent(victim, 'monitor')).code, (await c.agent(survivor, 'monitor')).code];
        check.equal('monitor codes with both Secondary', codes, [OCF_SUCCESS, OCF_SUCCESS]);
        check.equal(`survivor ${survivor} reopened its connection`, (await c.state(survivor)).cstate, 'WFConnection');
        // No Primary: Pacemaker promotes one; first (wrongly) the victim, then the survivor.
        const refused = await c.agent(victim, 'promote');
        check.that(`promote of the victim ${victim} fails`, refused.code !== OCF_SUCCESS, refused.code);
        check.equal(`victim ${victim} still Secondary`, (await c.state(victim)).role.split('/')[0], 'Secondary');
        check.equal(`victim ${victim} score deleted`, await c.score(victim), undefined);
        check.equal(`promote survivor ${survivor}`, (await c.promote(survivor, [])).code, OCF_SUCCESS);
      }
      // Recurring monitors go on; the victim preserves and reconnects, the resync follows.
      const recovered = await c.waitFor('recovery', async () => {
        const s = await c.state(victim);
        if (s.cstate === 'Connected' && s.dstate === 'UpToDate/UpToDate') return true;
        for (const n of NODES) await c.agent(n, 'monitor');
        return false;
      }, 180, 0);
      c.note(`recovered (${sb.policy}) ${recovered.toFixed(1)} s after the ${sb.primaries === 2 ? "victim's demote" : "survivor's promote"}`);
      await c.snapshot(`recovered (${sb.policy})`);
      check.equal(`survivor ${survivor} role`, (await c.state(survivor)).role, 'Primary/Secondary');
      check.equal(`survivor ${survivor} data unchanged`, await c.dataSum(survivor), sums[survivor]);
      check.equal(`victim ${victim} now holds the survivor's data`, await c.dataSum(victim), sums[survivor]);
      const images = (await c.ls(victim, PRESERVED_DIR)).filter((f) => f.endsWith('.img'));
      check.equal(`one preserved image on ${victim}`, images.length, 1);
      const image = images[0];
      if (image) {
        const path = `${PRESERVED_DIR}/${image}`;
        check.equal("preserved image holds the victim's diverging data", await c.dataSum(victim, path), sums[victim]);
        const recorded = (await c.must(victim, ['cat', `${path}.sha256`])).split(' ')[0];
        const actual = (await c.must(victim, ['sha256sum', path], 120)).split(' ')[0];
        check.equal('.sha256 beside it matches the image', recorded, actual);
        await c.must(victim, ['rm', '-f', path, `${path}.sha256`]);
      }
      for (const n of NODES) check.equal(`${n} monitor once healthy`, (await c.agent(n, 'monitor')).code, n === survivor ? OCF_RUNNING_PROMOTED : OCF_SUCCESS);
      for (const n of NODES) check.equal(`${n} markers cleared once healthy`, await markersOn(c, n), []);
      check.equal(`victim ${victim} score back`, await c.score(victim), '10000');
      // Next scenario starts from ctl1 Primary.
      if (survivor !== 'ctl1') {
        await c.demote(survivor, [survivor]);
        await c.promote('ctl1', []);
      }
    },
  };
}

// manual: the agent reports and discards nothing; the harness then recovers by hand.
async function manualCheck(c: Cluster, check: Checks, sums: Record<NodeName, string>): Promise<void> {
  for (let round = 0; round < 2; round++) for (const n of NODES) await c.agent(n, 'monitor');
  for (const n of NODES) {
    check.equal(`${n} still StandAlone under manual`, (await c.state(n)).cstate, 'StandAlone');
    check.equal(`${n} data intact under manual`, await c.dataSum(n), sums[n]);
    check.equal(`${n} preserved nothing`, (await c.ls(n, PRESERVED_DIR)).length, 0);
  }
  // The operator's recovery (DRBD User's Guide): ctl2 discards.
  await c.demote('ctl2', NODES.slice());
  check.equal('ctl2 still StandAlone after its demote under manual', (await c.state('ctl2')).cstate, 'StandAlone');
  const disconnect = await c.run('ctl2', ['drbdadm', 'disconnect', RESOURCE]);
  c.note(`8.4 disconnect of a StandAlone resource: exit ${disconnect.code} ${disconnect.stderr.trim()}`);
  await c.must('ctl2', ['drbdadm', 'connect', '--discard-my-data', RESOURCE]);
  await c.must('ctl1', ['drbdadm', 'connect', RESOURCE]);
  await c.waitHealthy(120);
  check.equal('after manual recovery ctl2 holds ctl1 data', await c.dataSum('ctl2'), sums.ctl1);
  check.equal('ctl1 still Primary', (await c.state('ctl1')).role, 'Primary/Secondary');
}

export const SCENARIOS: Scenario[] = [
  healthy,
  linkLoss(false),
  linkLoss(true),
  splitBrain({policy: 'discard-least-changes', writes: {ctl1: 2 * MIB, ctl2: 512}, victim: 'ctl2', primaries: 0}),
  // ctl2 became Primary later and loses, although it changed more.
  splitBrain({policy: 'discard-younger-primary', writes: {ctl1: 512, ctl2: 2 * MIB}, victim: 'ctl2', primaries: 2}),
  splitBrain({policy: 'discard-node:ctl1', writes: {ctl1: 2 * MIB, ctl2: 512}, victim: 'ctl1', primaries: 2}),
  splitBrain({policy: 'manual', writes: {ctl1: 1 * MIB, ctl2: 512}, victim: undefined, primaries: 2}),
];

