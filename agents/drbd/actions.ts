import {accessSync, constants, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {DEFAULT_SCORE_TABLE, parseScoreTable, promotionScore, type ScoreAction} from '../../lib/drbd/score';
import {compareVersions} from '../../lib/drbd/version';
import {ConfigError, GenericError, NotInstalledError, OCF, OcfError} from '../../lib/ocf';
import {deletePromotionScore, setPromotionScore} from '../../lib/ocf/attributes';
import {parseNotifyEnv, unames} from '../../lib/ocf/notify';
import {drbdadm} from '../../lib/sys/drbd';
import {describeFailure, type RunResult} from '../../lib/sys/exec';
import {describeHolders, findDeviceHolders} from '../../lib/sys/holders';
import {clearMarkers, forgetSplitFacts, localFacts, publishFacts, readMarkers, recordPromotion} from './facts';
import {removeFenceConstraints} from './fencing';
import {observe, openSession, readVersions, type Ctx, type Observed, type Session} from './session';
import {assessSplitBrain, mayBeSplitBrain, recoverAsVictim, reopenAsSurvivor, type SplitBrainView} from './split-brain';

// drbdadm exit codes (drbd-utils check_error): 11 a refused state change
// (retry), 17 no access to UpToDate data (permanent).
const EXIT_STATE_CHANGE_REFUSED = 11;
const EXIT_NO_UP_TO_DATE_DATA = 17;
// LINBIT's agent keeps a failing promote at least this long, so Pacemaker
// does not spin in a tight recovery loop.
const MIN_FAILED_PROMOTE_MS = 15_000;
// How often a promote waiting for the peer's frozen split-brain facts looks again.
const PEER_FACTS_POLL_MS = 2000;

const scoreTable = (ctx: Ctx) => parseScoreTable(ctx.params.adjust_master_score) ?? DEFAULT_SCORE_TABLE;

// --- environment -----------------------------------------------------------

export async function checkDrbdEnvironment(ctx: Ctx): Promise<void> {
  const session = await openSession(ctx);
  try {
    accessSync(ctx.params.drbdconf, constants.R_OK);
  } catch {
    throw new NotInstalledError(`${ctx.params.drbdconf} is not readable`);
  }
  await checkModuleVersion(session);
  const known = await drbdadm(session.tools, ['sh-dev', session.resource]);
  if (!known.ok) throw new NotInstalledError(`${session.resource} is not a DRBD resource here: ${describeFailure(known)}`);
}

async function checkModuleVersion(session: Session): Promise<void> {
  const {kernel} = await readVersions(session);
  if (!kernel) throw new NotInstalledError('no DRBD kernel module is loaded');
  const {require_drbd_module_version_ge: ge, require_drbd_module_version_lt: lt} = session.ctx.params;
  if (compareVersions(kernel, ge) < 0) throw new NotInstalledError(`DRBD kernel module ${kernel} is older than ${ge}`);
  if (compareVersions(kernel, lt) >= 0) throw new NotInstalledError(`DRBD kernel module ${kernel} is not older than ${lt}`);
}

// The split-brain victim steps run in notifications, and two primaries are
// never wanted here: refuse a clone configured otherwise.
function checkCloneMeta(ctx: Ctx): void {
  const meta = ctx.env.meta;
  if (meta('clone_max') === undefined) return;
  if (meta('notify') !== 'true' && !ctx.params.ignore_missing_notifications) {
    throw new ConfigError('the drbd clone needs meta notify=true');
  }
  const promotedMax = Number(meta('promoted_max') ?? meta('master_max') ?? '1');
  if (promotedMax > 1) throw new ConfigError(`promoted-max=${promotedMax}: this agent supports one Primary only`);
}

// --- scores ----------------------------------------------------------------

// Publishes the score; an unchanged score is not re-sent except on probes
// (which re-assert it after maintenance mode, resource-agents #859).
async function applyScore(session: Session, action: ScoreAction): Promise<void> {
  if (action.kind === 'unchanged') return;
  const cache = join(session.ctx.stateDir(), 'score');
  const wanted = action.kind === 'set' ? String(action.score) : 'deleted';
  let previous: string | undefined;
  try {
    previous = readFileSync(cache, 'utf8');
  } catch {
    previous = undefined;
  }
  if (previous === wanted && !session.ctx.isProbe && session.ctx.action === 'monitor') return;
  const ok =
    action.kind === 'set'
      ? await setPromotionScore(session.attrs, action.score, session.node)
      : await deletePromotionScore(session.attrs, session.node);
  if (ok) writeFileSync(cache, wanted);
}

async function dropScore(session: Session): Promise<void> {
  await applyScore(session, {kind: 'delete'});
}

// The score from the table, overridden by a split-brain decision: only the
// survivor keeps one. Runs the survivor's or victim's own recovery step.
async function settle(session: Session, observed: Observed): Promise<void> {
  const table = scoreTable(session.ctx);
  let action = promotionScore(observed.status, table);
  const healthy = observed.status.connected && observed.status.diskAllUpToDate && observed.status.pdskAllUpToDate;
  // Connected again: a later split is judged on its own facts.
  if (observed.status.connected) forgetSplitFacts(session);
  if (healthy) {
    if (readMarkers(session).length > 0) {
      clearMarkers(session);
      await removeFenceConstraints(session);
      session.ctx.log.info(`split brain on ${session.resource} is over: both disks UpToDate; markers cleared`);
      await publishFacts(session, await localFacts(session, observed));
    }
  } else if (mayBeSplitBrain(session, observed)) {
    const view = await assessSplitBrain(session, observed);
    action = await actOnSplitBrain(session, observed, view, action);
  } else if (!observed.status.connected) {
    // Keep the peer informed while disconnected: a split brain needs fresh facts from both.
    await publishFacts(session, await localFacts(session, observed));
  }
  await applyScore(session, action);
}

// For actions other than monitor: the role change they made stands even if
// a split-brain step failed; the next monitor reports that failure.
async function settleQuietly(session: Session, observed: Observed): Promise<void> {
  try {
    await settle(session, observed);
  } catch (error) {
    if (!(error instanceof OcfError)) throw error;
    session.ctx.log.error(error.message);
  }
}

async function actOnSplitBrain(session: Session, observed: Observed, view: SplitBrainView, tableAction: ScoreAction): Promise<ScoreAction> {
  const {decision} = view;
  switch (decision.kind) {
    case 'resolved':
      session.ctx.log.info(`split brain on ${session.resource}: survivor ${decision.survivor}, victim ${decision.victim} (${decision.reason})`);
      if (view.role === 'survivor') {
        await reopenAsSurvivor(session, observed);
        return {kind: 'set', score: scoreTable(session.ctx).asGoodAsItGets};
      }
      if (view.role === 'victim') {
        await dropScore(session);
        await recoverAsVictim(session, observed, view);
        return {kind: 'delete'};
      }
      return tableAction;
    case 'manual':
    case 'refuse':
    case 'undecided':
      session.ctx.log.warn(`split brain on ${session.resource}? ${decision.kind}: ${decision.reason}`);
      return tableAction;
    default:
      return tableAction;
  }
}

// --- actions ---------------------------------------------------------------

export async function monitor(ctx: Ctx) {
  let session: Session;
  try {
    session = await openSession(ctx);
  } catch (error) {
    // No drbd-utils: a probe says so (5, masked to "not running" by Pacemaker).
    if (error instanceof OcfError && ctx.isProbe) return OCF.ERR_INSTALLED;
    throw error;
  }
  const observed = await observe(session);
  if (!observed.state.exists) {
    if (!ctx.isProbe) await dropScore(session);
    return OCF.NOT_RUNNING;
  }
  const {status} = observed;
  if (status.diskFailed) {
    await dropScore(session);
    return {
      code: status.primary ? OCF.FAILED_PROMOTED : OCF.ERR_GENERIC,
      reason: `${session.resource}: local disk failed (${observed.state.devices.map((d) => d.disk).join(', ')})`,
    };
  }
  try {
    await settle(session, observed);
  } catch (error) {
    // A failed split-brain step is reported, but the role is still known.
    if (error instanceof OcfError) return {code: OCF.ERR_GENERIC, reason: error.message};
    throw error;
  }
  return status.primary ? OCF.RUNNING_PROMOTED : OCF.SUCCESS;
}

export async function start(ctx: Ctx) {
  checkCloneMeta(ctx);
  const session = await openSession(ctx);
  await checkModuleVersion(session);
  let observed = await observe(session);
  if (!observed.state.exists) {
    await must(session, ['up', session.resource], 'bring up');
  } else if (observed.status.diskless && !observed.status.primary) {
    await must(session, ['adjust', session.resource], 'adjust');
  }
  observed = await observe(session);
  if (!observed.state.exists) throw new GenericError(`${session.resource} did not come up`);
  if (observed.status.primary) await must(session, ['secondary', session.resource], 'make Secondary');
  await waitForPeer(session);
  observed = await observe(session);
  await settleQuietly(session, observed);
  return OCF.SUCCESS;
}

// Waits up to wfc_timeout for the connection, version-independently.
async function waitForPeer(session: Session): Promise<void> {
  const seconds = session.ctx.params.wfc_timeout;
  if (seconds === 0) return;
  const wait = session.ctx.deadline.slice({ms: seconds * 1000});
  const connected = await wait.poll(async () => (await observe(session)).status.connected, 250);
  if (!connected) session.ctx.log.info(`${session.resource}: no connection to the peer after ${seconds} s; continuing`);
}

export async function stop(ctx: Ctx) {
  let session: Session;
  try {
    session = await openSession(ctx);
  } catch (error) {
    // Without drbd-utils nothing of ours can be running.
    if (error instanceof NotInstalledError) return OCF.SUCCESS;
    throw error;
  }
  let observed = await observe(session);
  if (observed.state.exists) {
    if (observed.status.primary) await becomeSecondary(session);
    await maybeOutdateSelf(session, observed);
    await retryRefusals(session, ['down', session.resource], 'bring down');
    observed = await observe(session);
    if (observed.state.exists) throw new GenericError(`${session.resource} is still up after drbdadm down`);
  }
  await dropScore(session);
  return OCF.SUCCESS;
}

async function maybeOutdateSelf(session: Session, observed: Observed): Promise<void> {
  if (!session.ctx.params.stop_outdates_secondary || observed.status.connected) return;
  const notify = parseNotifyEnv(session.ctx.env.raw);
  const stopping = unames(notify.stop);
  const primary = unames(notify.promoted).find((node) => node !== session.node && !stopping.includes(node));
  if (!primary) return;
  const result = await drbdadm(session.tools, ['outdate', session.resource]);
  if (result.ok) session.ctx.log.info(`${session.resource}: outdated the local disk, ${primary} is Primary`);
  else session.ctx.log.warn(`outdate failed: ${describeFailure(result)}`);
}

export async function promote(ctx: Ctx) {
  checkCloneMeta(ctx);
  const session = await openSession(ctx);
  const started = Date.now();
  let observed = await observe(session);
  if (!observed.state.exists) throw new GenericError(`cannot promote ${session.resource}: it is not started`);
  if (observed.status.primary) return OCF.SUCCESS;
  if (mayBeSplitBrain(session, observed)) {
    // Re-verify with fresh facts from both sides before becoming Primary;
    // while the peer has not frozen its facts yet, wait for its next monitor
    // rather than become a second Primary of a diverged resource.
    let view = await assessSplitBrain(session, observed);
    const patience = ctx.deadline.slice({fraction: 0.6});
    while (view.awaitingPeer && (await patience.sleep(PEER_FACTS_POLL_MS))) view = await assessSplitBrain(session, await observe(session));
    if (view.awaitingPeer) {
      await dropScore(session);
      await holdFailure(session, started);
      throw new GenericError(`split brain: ${session.node} will not be promoted before both sides' facts are frozen (${view.decision.reason})`);
    }
    if (view.role === 'victim' && view.decision.kind === 'resolved') {
      await dropScore(session);
      await holdFailure(session, started);
      throw new GenericError(`split brain: ${session.node} is the victim and will not be promoted (${view.decision.reason})`);
    }
    if (view.role === 'survivor') await reopenAsSurvivor(session, observed);
  }
  for (;;) {
    const result = await drbdadm(session.tools, ['primary', session.resource]);
    if (result.ok) break;
    if (result.exitCode === EXIT_NO_UP_TO_DATE_DATA) {
      await dropScore(session);
      await holdFailure(session, started);
      throw new GenericError(`refusing to promote ${session.resource} without access to UpToDate data: ${describeFailure(result)}`);
    }
    if (!(await ctx.deadline.sleep(1000))) {
      throw new GenericError(`could not promote ${session.resource} in time: ${describeFailure(result)}`);
    }
    session.ctx.log.info(`primary refused (${describeFailure(result)}); retrying`);
  }
  recordPromotion(session);
  observed = await observe(session);
  await settleQuietly(session, observed);
  return OCF.SUCCESS;
}

// A failing promote returns no sooner than 15 s after it began (inside the deadline).
async function holdFailure(session: Session, started: number): Promise<void> {
  const left = MIN_FAILED_PROMOTE_MS - (Date.now() - started);
  if (left > 0) await session.ctx.deadline.slice({fraction: 0.9}).sleep(left);
}

export async function demote(ctx: Ctx) {
  checkCloneMeta(ctx);
  const session = await openSession(ctx);
  const observed = await observe(session);
  if (!observed.state.exists) return {code: OCF.NOT_RUNNING, reason: `cannot demote ${session.resource}: it is not started`};
  if (observed.status.primary) await becomeSecondary(session);
  await settleQuietly(session, await observe(session));
  return OCF.SUCCESS;
}

// drbdadm secondary, retried while refused; "held open" names the holders
// (found from /proc, so it costs no time the retries have used up).
async function becomeSecondary(session: Session): Promise<void> {
  const device = await drbdadm(session.tools, ['sh-dev', session.resource]);
  const path = device.ok ? device.stdout.trim().split('\n')[0] : undefined;
  try {
    await retryRefusals(session, ['secondary', session.resource], 'demote');
  } catch (error) {
    const holders = path ? describeHolders(findDeviceHolders(path)) : '';
    if (holders) throw new GenericError(`cannot demote ${session.resource}: its device is ${holders}`);
    throw error;
  }
}

async function retryRefusals(session: Session, args: string[], what: string): Promise<void> {
  let result: RunResult;
  for (;;) {
    result = await drbdadm(session.tools, args);
    if (result.ok) return;
    if (result.exitCode !== EXIT_STATE_CHANGE_REFUSED || !(await session.ctx.deadline.sleep(1000))) break;
  }
  throw new GenericError(`could not ${what} ${session.resource}: ${describeFailure(result)}`);
}

async function must(session: Session, args: string[], what: string): Promise<void> {
  const result = await drbdadm(session.tools, args);
  if (!result.ok) throw new GenericError(`could not ${what} ${session.resource}: ${describeFailure(result)}`);
}

// Pacemaker ignores notify results; it must not fail. post-*: refresh the
// score; pre-promote on the node that is not being promoted: the victim's turn.
export async function notify(ctx: Ctx) {
  try {
    const session = await openSession(ctx);
    const env = parseNotifyEnv(ctx.env.raw);
    const observed = await observe(session);
    if (!observed.state.exists) return OCF.SUCCESS;
    if (env.type === 'post' || (env.type === 'pre' && env.operation === 'promote' && !unames(env.promote).includes(session.node))) {
      await settleQuietly(session, observed);
    }
  } catch (error) {
    ctx.log.warn(`notify: ${(error as Error).message}`);
  }
  return OCF.SUCCESS;
}

export async function reload(ctx: Ctx) {
  const session = await openSession(ctx);
  const observed = await observe(session);
  if (!observed.state.exists) return OCF.SUCCESS;
  await must(session, ['adjust', session.resource], 'adjust');
  await settleQuietly(session, await observe(session));
  return OCF.SUCCESS;
}
