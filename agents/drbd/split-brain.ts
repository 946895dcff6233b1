import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {decideSplitBrain, parseSplitBrainPolicy, type FencingFacts, type NodeFacts, type SplitBrainDecision} from '../../lib/drbd/split-brain';
import {formatUuids} from '../../lib/drbd/gi';
import {GenericError} from '../../lib/ocf';
import {copyDeviceToFile} from '../../lib/sys/block-copy';
import {drbdadm} from '../../lib/sys/drbd';
import {describeFailure, run} from '../../lib/sys/exec';
import {describeHolders, findDeviceHolders} from '../../lib/sys/holders';
import {factsAtSplit, localFacts, preservedPath, publishFacts, readMarkers, readPeerFacts} from './facts';
import {readFencing} from './fencing';
import {readVersions, type Observed, type Session} from './session';
import {ensureDirectory} from '../../lib/sys/directories';

// What this node should do about a split brain, from both nodes' facts.
export interface SplitBrainView {
  decision: SplitBrainDecision;
  local: NodeFacts;
  peer: NodeFacts | undefined;
  role: 'survivor' | 'victim' | 'none';
  // The rules found a survivor, but the peer has not frozen its facts yet.
  awaitingPeer: boolean;
}

// Publishes this node's facts (frozen at the split), reads the peer's and the
// CIB's fencing decision, and decides. Both nodes run the same pure function
// on the same published facts, so they agree on survivor and victim; and
// neither acts before both have frozen theirs, so the answer cannot change
// while the diverged sides keep writing.
export async function assessSplitBrain(session: Session, observed: Observed): Promise<SplitBrainView> {
  const local = factsAtSplit(session, await localFacts(session, observed));
  await publishFacts(session, local);
  const peer = await readPeerFacts(session);
  const policy = parseSplitBrainPolicy(session.ctx.params.split_brain_policy) ?? {kind: 'manual' as const};
  const fencing: FencingFacts = await readFencing(session);
  const decided = decideSplitBrain({
    a: local,
    b: peer ?? {node: '(peer)'},
    policy,
    fencing,
    now: Math.floor(Date.now() / 1000),
    maxFactAgeSeconds: session.ctx.params.split_brain_fact_max_age,
  });
  const decision = awaitFrozenPeer(peer, decided);
  const role =
    decision.kind !== 'resolved' ? 'none' : decision.survivor === session.node ? 'survivor' : decision.victim === session.node ? 'victim' : 'none';
  return {decision, local, peer, role, awaitingPeer: decision !== decided};
}

// A resolution counts only once the peer judges on frozen facts too.
function awaitFrozenPeer(peer: NodeFacts | undefined, decision: SplitBrainDecision): SplitBrainDecision {
  if (decision.kind !== 'resolved' || peer?.frozenAt !== undefined) return decision;
  return {kind: 'undecided', reason: `${decision.reason}; waiting for ${peer?.node ?? 'the peer'} to freeze its facts at the split before acting`};
}

// Worth assessing at all: not connected, and a marker or a StandAlone link.
export const mayBeSplitBrain = (session: Session, observed: Observed): boolean =>
  !observed.status.connected && (observed.status.standAlone || readMarkers(session).length > 0);

// The survivor reopens its connection so the victim can resync from it:
// DRBD 9 disconnect (idempotent) then connect; 8.4 connect only from
// StandAlone (its disconnect of a StandAlone resource fails with exit 10).
export async function reopenAsSurvivor(session: Session, observed: Observed): Promise<void> {
  if (!observed.status.standAlone) return;
  const versions = await readVersions(session);
  if (versions.kernelMajor !== 8) {
    const result = await drbdadm(session.tools, ['disconnect', session.resource]);
    if (!result.ok) session.ctx.log.warn(describeFailure(result));
  }
  const result = await drbdadm(session.tools, ['connect', session.resource]);
  if (!result.ok) throw new GenericError(`split brain: survivor could not reconnect: ${describeFailure(result)}`);
  session.ctx.log.info(`split brain: ${session.node} is the survivor; connection reopened for the victim to resync from it`);
}

// The victim keeps a copy of its diverging data, then reconnects with
// --discard-my-data. Never on a Primary, never while the device is in use,
// never without the preservation the operator asked for.
export async function recoverAsVictim(session: Session, observed: Observed, view: SplitBrainView): Promise<void> {
  const reason = view.decision.kind === 'resolved' ? view.decision.reason : '';
  if (observed.status.primary) {
    session.ctx.log.warn(`split brain: ${session.node} is the victim but still Primary; waiting for Pacemaker to demote it (${reason})`);
    return;
  }
  if (!observed.status.standAlone) return;
  const device = await deviceOf(session);
  const holders = device ? describeHolders(findDeviceHolders(device)) : '';
  if (holders) throw new GenericError(`split brain: victim ${session.node} will not discard its data while its device is ${holders}`);
  await preserveVictimData(session, view);
  const disconnect = await drbdadm(session.tools, ['disconnect', session.resource]);
  if (!disconnect.ok) session.ctx.log.info(`disconnect of a StandAlone resource: ${describeFailure(disconnect)} (expected on DRBD 8.4)`);
  const connect = await drbdadm(session.tools, ['connect', '--discard-my-data', session.resource]);
  if (!connect.ok) throw new GenericError(`split brain: victim could not reconnect with --discard-my-data: ${describeFailure(connect)}`);
  session.ctx.log.warn(`split brain: ${session.node} discards its changes and resyncs from ${view.decision.kind === 'resolved' ? view.decision.survivor : 'the peer'} (${reason})`);
}

async function deviceOf(session: Session): Promise<string | undefined> {
  const result = await drbdadm(session.tools, ['sh-dev', session.resource]);
  return result.ok ? result.stdout.trim().split('\n')[0] : undefined;
}

async function backingDeviceOf(session: Session): Promise<string> {
  const result = await drbdadm(session.tools, ['sh-ll-dev', session.resource]);
  const device = result.ok ? result.stdout.trim().split('\n')[0] : undefined;
  if (!device) throw new GenericError(`split brain: cannot find the backing device of ${session.resource}: ${describeFailure(result)}`);
  return device;
}

// One preservation per split brain: the marker's content identifies it.
function splitBrainId(session: Session): string {
  return readMarkers(session)
    .map((path) => {
      try {
        return readFileSync(path, 'utf8').trim();
      } catch {
        return '';
      }
    })
    .join('|');
}

async function preserveVictimData(session: Session, view: SplitBrainView): Promise<void> {
  const mode = session.ctx.params.victim_preserve;
  // Without a handler marker (split brain seen from the generation identifiers
  // alone), the victim's own UUIDs name this split brain.
  const id = splitBrainId(session) || (view.local.gi ? formatUuids(view.local.gi) : 'unknown');
  const record = preservedPath(session);
  if (existsSync(record) && JSON.parse(readFileSync(record, 'utf8')).id === id) return;
  if (mode === 'none') {
    session.ctx.log.warn(`split brain: victim_preserve=none: ${session.node}'s diverging data is discarded without a copy`);
    writeFileSync(record, JSON.stringify({id, mode}));
    return;
  }
  const backing = await backingDeviceOf(session);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const name = `${session.resource}-${session.node}-${stamp}`;
  let kept: string;
  if (mode === 'image') {
    const dir = session.ctx.params.victim_preserve_dir;
    try {
      ensureDirectory(dir, 0o700);
      const target = join(dir, `${name}.img`);
      const copy = await copyDeviceToFile(backing, target, session.ctx.deadline.slice({fraction: 0.8}));
      writeFileSync(`${target}.sha256`, `${copy.sha256}  ${name}.img\n`);
      kept = `${target} (${copy.bytes} bytes, sha256 ${copy.sha256})`;
    } catch (error) {
      throw new GenericError(`split brain: victim keeps its data and stays disconnected: copying ${backing} to ${dir} failed: ${(error as Error).message}`);
    }
  } else {
    const size = session.ctx.params.victim_snapshot_size;
    const sizeArgs = /%/.test(size) ? ['--extents', size] : ['--size', size];
    const result = await run('lvcreate', ['--snapshot', '--name', name.replace(/[^A-Za-z0-9_.+-]/g, '_'), ...sizeArgs, backing], {
      deadline: session.ctx.deadline.slice({fraction: 0.5}),
    });
    if (!result.ok) {
      throw new GenericError(`split brain: victim keeps its data and stays disconnected: LVM snapshot of ${backing} failed: ${describeFailure(result)}`);
    }
    kept = `LVM snapshot ${name} of ${backing}`;
  }
  writeFileSync(record, JSON.stringify({id, mode, kept}));
  session.ctx.log.warn(`split brain: ${session.node}'s diverging data preserved as ${kept}`);
}
