import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {deriveStatus, type DerivedStatus} from '../../lib/drbd/derive';
import {parseEvents2} from '../../lib/drbd/events2';
import {parseDrbdadmVersion, type DrbdVersions} from '../../lib/drbd/version';
import {GenericError, NotInstalledError, type ActionContext} from '../../lib/ocf';
import {localNodeName, type AttributeContext} from '../../lib/ocf/attributes';
import {findBinary} from '../../lib/sys/binaries';
import {drbdadm, readEvents2, type DrbdTools} from '../../lib/sys/drbd';
import {describeFailure, run} from '../../lib/sys/exec';
import type {ResourceState} from '../../lib/drbd/types';
import type {DrbdParameters} from './index';

export type Ctx = ActionContext<DrbdParameters>;

// What every drbd action works with: the tools, the node's name, the resource.
export interface Session {
  ctx: Ctx;
  tools: DrbdTools;
  attrs: AttributeContext;
  resource: string;
  node: string;
}

export interface Observed {
  state: ResourceState;
  status: DerivedStatus;
}

// Finds drbdadm and drbdsetup (NotInstalledError without them) and this node's name.
export async function openSession(ctx: Ctx): Promise<Session> {
  const drbdadmPath = findBinary('drbdadm', ctx.env.raw);
  const drbdsetupPath = findBinary('drbdsetup', ctx.env.raw);
  if (!drbdadmPath || !drbdsetupPath) throw new NotInstalledError('drbdadm/drbdsetup (drbd-utils) not found');
  const attrs: AttributeContext = {deadline: ctx.deadline, env: ctx.env.raw, log: ctx.log};
  return {
    ctx,
    tools: {drbdadm: drbdadmPath, drbdsetup: drbdsetupPath, config: ctx.params.drbdconf, deadline: ctx.deadline, env: ctx.env.raw},
    attrs,
    resource: ctx.params.drbd_resource,
    node: await localNodeName(attrs),
  };
}

// The resource as DRBD reports it now (events2 --now, both 8.4 and 9).
export async function observe(session: Session): Promise<Observed> {
  const result = await readEvents2(session.tools, session.resource);
  if (!result.ok) {
    if (result.notFound) throw new NotInstalledError(`cannot run ${session.tools.drbdsetup}`);
    throw new GenericError(describeFailure(result));
  }
  const state = parseEvents2(result.stdout, session.resource);
  return {state, status: deriveStatus(state)};
}

// drbdadm <args> <resource>; throws with drbdadm's own message on failure.
export async function drbdadmOrFail(session: Session, args: string[]): Promise<void> {
  const result = await drbdadm(session.tools, [...args, session.resource]);
  if (!result.ok) throw new GenericError(describeFailure(result));
}

const bootId = (): string => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
};

// drbd-utils and kernel module versions, cached per boot in the instance's
// state directory: a module does not change under a running resource.
export async function readVersions(session: Session): Promise<DrbdVersions> {
  const cache = join(session.ctx.stateDir(), 'versions.json');
  const boot = bootId();
  try {
    const cached = JSON.parse(readFileSync(cache, 'utf8')) as {boot: string; versions: DrbdVersions};
    if (cached.boot === boot) return cached.versions;
  } catch {
    // no cache yet
  }
  const result = await run(session.tools.drbdadm, ['--version'], {deadline: session.ctx.deadline, env: session.tools.env});
  const versions = parseDrbdadmVersion(`${result.stdout}\n${result.stderr}`);
  if (versions.kernel) writeFileSync(cache, JSON.stringify({boot, versions}));
  return versions;
}
