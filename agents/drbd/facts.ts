import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {writeFileAtomic} from '../../lib/sys/atomic-file';
import {join} from 'node:path';
import {formatGi, parseGi} from '../../lib/drbd/gi';
import type {NodeFacts} from '../../lib/drbd/split-brain';
import {parseAttrdLines, setNodeAttribute} from '../../lib/ocf/attributes';
import {describeFailure, run} from '../../lib/sys/exec';
import {drbdadm} from '../../lib/sys/drbd';
import type {Observed, Session} from './session';
import {ensureDirectory} from '../../lib/sys/directories';

// Per-node facts the split-brain decision needs from both sides, published
// as one private transient node attribute (one JSON value, so a reader never sees
// half an update) and durable markers under state_dir.

export const factsAttribute = (resource: string) => `drbd-${resource}-facts`;
export const markerAttribute = (resource: string) => `drbd-${resource}-split-brain`;

interface PublishedFacts {
  gi?: string;
  oos?: number;
  role?: string;
  connection?: string;
  disk?: string;
  marker?: boolean;
  lastPrimaryAt?: number;
  publishedAt: number;
  frozenAt?: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

const stateDir = (session: Session): string => {
  ensureDirectory(session.ctx.params.state_dir, 0o700);
  return session.ctx.params.state_dir;
};

// Marker files are named after the peer the split brain was seen against
// (DRBD_PEER), so each node finds its own even when both share a directory.
const markerPrefix = (resource: string) => `${resource}.split-brain.`;

export function markerPath(dir: string, resource: string, peer: string): string {
  return join(dir, `${markerPrefix(resource)}${peer.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
}

// Split-brain markers of this node (those naming a peer other than itself).
export function readMarkers(session: Session): string[] {
  let entries: string[];
  try {
    entries = readdirSync(session.ctx.params.state_dir);
  } catch {
    return [];
  }
  const prefix = markerPrefix(session.resource);
  return entries
    .filter((name) => name.startsWith(prefix) && name.slice(prefix.length) !== session.node && !name.endsWith('.tmp'))
    .map((name) => join(session.ctx.params.state_dir, name));
}

export function clearMarkers(session: Session): void {
  for (const path of readMarkers(session)) rmSync(path, {force: true});
  rmSync(preservedPath(session), {force: true});
  forgetSplitFacts(session);
}

// --- facts frozen at the split ----------------------------------------------
// While both diverged Primaries keep writing, their change counts keep moving:
// judged on live counts, a least-changes pick can flip between two monitors,
// after one side has already discarded on the first pick. So the counts a
// split brain is judged on are those of the moment this node first assessed
// it, kept until the node is Connected again, and both sides must have frozen
// theirs before either acts (see assessSplitBrain).

interface FrozenFacts {
  // The generation the counts belong to: DRBD keeps a Primary's current UUID
  // for the whole disconnected period (a new one only when a node with no
  // bitmap UUID is promoted), so another UUID is another split.
  current: string;
  oos?: number;
  lastPrimaryAt?: number;
  frozenAt: number;
}

const splitFactsPath = (session: Session) => join(session.ctx.params.state_dir, `${session.resource}.split-facts.${session.node}`);
const generationKey = (facts: NodeFacts) => (facts.gi ? (facts.gi.current & ~1n).toString(16).toUpperCase() : undefined);

function readFrozen(session: Session): FrozenFacts | undefined {
  try {
    const frozen = JSON.parse(readFileSync(splitFactsPath(session), 'utf8')) as FrozenFacts;
    return typeof frozen.current === 'string' && typeof frozen.frozenAt === 'number' ? frozen : undefined;
  } catch {
    return undefined;
  }
}

// The live facts with the change counts and promotion time of the moment this
// split was first assessed (recorded now if this is that moment).
export function factsAtSplit(session: Session, live: NodeFacts): NodeFacts {
  const key = generationKey(live);
  if (key === undefined) return live;
  let frozen = readFrozen(session);
  if (frozen?.current !== key) {
    frozen = {
      current: key,
      ...(live.outOfSyncKiB !== undefined ? {oos: live.outOfSyncKiB} : {}),
      ...(live.lastPrimaryAt !== undefined ? {lastPrimaryAt: live.lastPrimaryAt} : {}),
      frozenAt: live.publishedAt ?? nowSeconds(),
    };
    stateDir(session);
    writeFileAtomic(splitFactsPath(session), JSON.stringify(frozen), {mode: 0o600});
    session.ctx.log.info(`split brain: ${session.node}'s facts frozen at the split: ${frozen.oos ?? 'unknown'} KiB changed`);
  }
  const {outOfSyncKiB: _oos, lastPrimaryAt: _last, ...rest} = live;
  return {
    ...rest,
    ...(frozen.oos !== undefined ? {outOfSyncKiB: frozen.oos} : {}),
    ...(frozen.lastPrimaryAt !== undefined ? {lastPrimaryAt: frozen.lastPrimaryAt} : {}),
    frozenAt: frozen.frozenAt,
  };
}

export function forgetSplitFacts(session: Session): void {
  rmSync(splitFactsPath(session), {force: true});
}

const lastPrimaryPath = (session: Session) => join(stateDir(session), `${session.resource}.last-primary.${session.node}`);
export const preservedPath = (session: Session) => join(session.ctx.params.state_dir, `${session.resource}.preserved.${session.node}`);

// DRBD does not store when a node became Primary; promote records it here.
export function recordPromotion(session: Session): void {
  writeFileSync(lastPrimaryPath(session), `${nowSeconds()}\n`);
}

function readLastPrimary(session: Session): number | undefined {
  try {
    const value = Number(readFileSync(lastPrimaryPath(session), 'utf8').trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

// This node's generation identifiers (drbdadm get-gi; readable even while down).
export async function readLocalGi(session: Session): Promise<string | undefined> {
  const result = await drbdadm(session.tools, ['get-gi', session.resource], session.ctx.deadline.slice({ms: 5000}));
  if (!result.ok) return undefined;
  for (const line of result.stdout.split('\n')) {
    const gi = parseGi(line.trim());
    if (gi) return formatGi(gi, 'v08');
  }
  return undefined;
}

// This node's facts as the decision takes them.
export async function localFacts(session: Session, observed: Observed): Promise<NodeFacts> {
  const gi = await readLocalGi(session);
  const connection = observed.state.connections[0];
  const device = observed.state.devices[0];
  const parsedGi = gi ? parseGi(gi) : undefined;
  const lastPrimaryAt = readLastPrimary(session);
  return {
    node: session.node,
    ...(parsedGi ? {gi: parsedGi} : {}),
    outOfSyncKiB: observed.status.outOfSyncKiB,
    role: observed.state.role,
    ...(connection ? {connection: connection.connection} : {connection: 'StandAlone' as const}),
    ...(device ? {disk: device.disk} : {}),
    splitBrainMarker: readMarkers(session).length > 0,
    ...(lastPrimaryAt !== undefined ? {lastPrimaryAt} : {}),
    publishedAt: nowSeconds(),
  };
}

export function serialiseFacts(facts: NodeFacts): string {
  const published: PublishedFacts = {
    ...(facts.gi ? {gi: formatGi(facts.gi, 'v08')} : {}),
    ...(facts.outOfSyncKiB !== undefined ? {oos: facts.outOfSyncKiB} : {}),
    ...(facts.role ? {role: facts.role} : {}),
    ...(facts.connection ? {connection: facts.connection} : {}),
    ...(facts.disk ? {disk: facts.disk} : {}),
    marker: facts.splitBrainMarker === true,
    ...(facts.lastPrimaryAt !== undefined ? {lastPrimaryAt: facts.lastPrimaryAt} : {}),
    publishedAt: facts.publishedAt ?? nowSeconds(),
    ...(facts.frozenAt !== undefined ? {frozenAt: facts.frozenAt} : {}),
  };
  return JSON.stringify(published);
}

export function deserialiseFacts(node: string, text: string): NodeFacts | undefined {
  try {
    const p = JSON.parse(text) as PublishedFacts;
    const gi = p.gi ? parseGi(p.gi) : undefined;
    return {
      node,
      ...(gi ? {gi} : {}),
      ...(typeof p.oos === 'number' ? {outOfSyncKiB: p.oos} : {}),
      ...(p.role ? {role: p.role as NodeFacts['role']} : {}),
      ...(p.connection ? {connection: p.connection as NodeFacts['connection']} : {}),
      ...(p.disk ? {disk: p.disk as NodeFacts['disk']} : {}),
      splitBrainMarker: p.marker === true,
      ...(typeof p.lastPrimaryAt === 'number' ? {lastPrimaryAt: p.lastPrimaryAt} : {}),
      ...(typeof p.publishedAt === 'number' ? {publishedAt: p.publishedAt} : {}),
      ...(typeof p.frozenAt === 'number' ? {frozenAt: p.frozenAt} : {}),
    };
  } catch {
    return undefined;
  }
}

// Private (attrd only): the facts change on every publication (publishedAt),
// and a CIB write would abort Pacemaker's running transition each time — in
// a failover, between the notifications and the promotion.
export async function publishFacts(session: Session, facts: NodeFacts): Promise<void> {
  await setNodeAttribute(session.attrs, factsAttribute(session.resource), serialiseFacts(facts), session.node, {private: true});
}

// The other node's published facts: every host attrd has the attribute for,
// except this one (a two-node resource has exactly one such peer).
export async function readPeerFacts(session: Session): Promise<NodeFacts | undefined> {
  // Pacemaker's tools take OCF_RESKEY_CRM_meta_on_node as the node to act
  // on, and --all then shows that node only: query without it.
  const {OCF_RESKEY_CRM_meta_on_node: _onNode, ...env} = session.tools.env;
  const result = await run('attrd_updater', ['--query', '--all', '--name', factsAttribute(session.resource)], {
    deadline: session.ctx.deadline.slice({ms: 5000}),
    env,
    extendEnv: false,
  });
  if (!result.ok) {
    session.ctx.log.debug(`peer facts: ${describeFailure(result)}`);
    return undefined;
  }
  const peer = parseAttrdLines(result.stdout).find(({host}) => host !== session.node);
  session.ctx.log.debug(`peer facts: ${peer ? `${peer.host} ${peer.value}` : `none in ${JSON.stringify(result.stdout)}`}`);
  return peer ? deserialiseFacts(peer.host, peer.value) : undefined;
}
