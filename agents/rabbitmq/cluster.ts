import {readFileSync, writeFileSync} from 'node:fs';
import {deleteNodeAttribute, localNodeName, parseAttrdLines, setNodeAttribute} from '../../lib/ocf/attributes';
import {GenericError, OCF, type Deadline} from '../../lib/ocf';
import {run} from '../../lib/sys/exec';
import {checkLogin} from './check-login';
import {describeFailure, rabbitmqctl} from './ctl';
import type {Ctx} from './parameters';
import {partitionVerdict, viewFromApiNodes, viewFromClusterStatus, type ClusterView} from './partition';
import {connectAddress} from './server-env';
import {pathsOf} from './server-process';

// The node attribute each running member publishes: its Erlang node name.
// Transient (attrd): it goes with a reboot or a lost node. The clone suffix
// of an instance name is dropped, so every member uses the same name.
export const memberAttribute = (ctx: Ctx): string => `rmq-node-${ctx.instance.replace(/:\d+$/, '')}`;

// What lib/ocf/attributes needs: the raw environment, the deadline, the logger.
const attrs = (ctx: Ctx) => ({deadline: ctx.deadline, env: ctx.env.raw, log: ctx.log});

export interface StartPlan {
  // Erlang names of the members Pacemaker reports running elsewhere.
  peers: string[];
}

// Before the node starts: the running members, from the attribute on the other nodes.
export async function beforeStart(ctx: Ctx): Promise<StartPlan> {
  const me = await localNodeName(attrs(ctx));
  const result = await run('attrd_updater', ['--query', '--all', '--name', memberAttribute(ctx)], {deadline: ctx.deadline.slice({ms: 5000}), env: ctx.env.raw});
  // Unknown members must not look like none: this node would bootstrap a
  // second cluster. (attrd answers "attribute does not exist", exit 105, when no node has it.)
  const none = !result.ok && (result.exitCode === 105 || /does not exist|no such/i.test(result.stderr));
  if (!result.ok && !none) throw new GenericError(`cannot read the running members (attribute ${memberAttribute(ctx)}): ${describeFailure(result)}`);
  const peers = parseAttrdLines(none ? '' : result.stdout)
    .filter((v) => v.host !== me && v.value !== ctx.params.nodename)
    .map((v) => v.value);
  ctx.log.info(peers.length > 0 ? `running members: ${peers.join(', ')}` : 'no running member: this node bootstraps');
  return {peers: [...new Set(peers)]};
}

// After the node answers AMQP: join the running members unless it already
// is one of theirs (a restarted member re-syncs by itself, nothing is
// reset); the first node up sets the policy. Then publish the attribute.
export async function afterStart(ctx: Ctx, fresh: boolean, plan?: StartPlan) {
  const peers = plan?.peers ?? (await beforeStart(ctx)).peers;
  if (peers.length === 0) {
    if (fresh) await applyPolicy(ctx);
  } else {
    const status = await ownStatus(ctx, ctx.deadline.slice({ms: 30_000}));
    if (!peers.some((p) => status.running.includes(p))) await join(ctx, peers, status);
  }
  await setNodeAttribute(attrs(ctx), memberAttribute(ctx), ctx.params.nodename);
  markPeriodicCheck(ctx);
  return OCF.SUCCESS;
}

async function ownStatus(ctx: Ctx, deadline: Deadline, node?: string): Promise<ClusterView> {
  const result = await rabbitmqctl(ctx, ['cluster_status', '--formatter', 'json'], deadline, node);
  if (!result.ok) throw new GenericError(`cluster_status${node ? ` on ${node}` : ''} failed: ${describeFailure(result)}`);
  return viewFromClusterStatus(node ?? ctx.params.nodename, result.stdout);
}

// Joins the first peer that takes this node. When a survivor still lists
// this node as a member that it is not (its data was lost or it was reset
// elsewhere), the survivor first forgets that stale copy (resource-agents
// PR #831). join_cluster adopts the cluster's data; the node's own is
// replaced only here, when it is not a member of the running cluster.
async function join(ctx: Ctx, peers: readonly string[], own: ClusterView): Promise<void> {
  const self = ctx.params.nodename;
  const failures: string[] = [];
  for (const peer of peers) {
    const step = ctx.deadline.slice({fraction: 0.5});
    const theirs = await ownStatus(ctx, step, peer).catch((error: Error) => error);
    if (theirs instanceof Error) {
      failures.push(theirs.message);
      continue;
    }
    if (theirs.members.includes(self) && !own.members.includes(peer)) {
      const forget = await rabbitmqctl(ctx, ['forget_cluster_node', self], step, peer);
      ctx.log.info(`${peer} forgot its stale copy of ${self}: ${forget.ok ? 'ok' : describeFailure(forget)}`);
    }
    const stopApp = await rabbitmqctl(ctx, ['stop_app'], step);
    if (!stopApp.ok) throw new GenericError(`stop_app before joining ${peer} failed: ${describeFailure(stopApp)}`);
    const joined = await rabbitmqctl(ctx, ['join_cluster', peer], step);
    const started = await rabbitmqctl(ctx, ['start_app'], ctx.deadline.slice({fraction: 0.8}));
    if (!started.ok) throw new GenericError(`start_app after joining ${peer} failed: ${describeFailure(started)}`);
    if (joined.ok || /already_member/.test(joined.stdout + joined.stderr)) {
      ctx.log.info(`${self} joined the cluster of ${peer}`);
      return;
    }
    failures.push(`join_cluster ${peer}: ${describeFailure(joined)}`);
  }
  throw new GenericError(`could not join any running member: ${failures.join('; ')}`);
}

// The policy parameter, set by the node that bootstraps the cluster.
async function applyPolicy(ctx: Ctx): Promise<void> {
  const policy = ctx.params.policy?.trim();
  if (!policy) return;
  const result = await rabbitmqctl(ctx, ['set_policy', ...policy.split(/\s+/)], ctx.deadline.slice({fraction: 0.5}));
  if (!result.ok) throw new GenericError(`set_policy ${policy} failed: ${describeFailure(result)}`);
  ctx.log.info(`policy set: ${policy}`);
}

// Stop, or a monitor that finds no node: this node is no member Pacemaker should join.
export async function withdrawMembership(ctx: Ctx): Promise<void> {
  await deleteNodeAttribute(attrs(ctx), memberAttribute(ctx));
}

// Cluster part of a monitor: fail (1) when this node sits in the losing
// side of a partition. The view comes from the management API at every
// monitor when management_port is set (no VM), else from rabbitmqctl
// cluster_status when the periodic check is due (at most once per
// cluster_check_interval). The member attribute, written at start, is
// re-asserted when the periodic check is due too: each write forks
// attrd_updater (about 70 ms of CPU), more than the rest of the monitor.
export async function clusterMonitor(ctx: Ctx) {
  const due = periodicCheckDue(ctx);
  if (due) await setNodeAttribute(attrs(ctx), memberAttribute(ctx), ctx.params.nodename);
  const view = ctx.params.management_port !== undefined ? await viewFromApiOrCtl(ctx, due) : due ? await ctlView(ctx) : undefined;
  if (!view) return OCF.SUCCESS;
  const verdict = partitionVerdict(view);
  if (verdict.kind === 'minority') return {code: OCF.ERR_GENERIC, reason: `node ${ctx.params.nodename} is in a minority partition: ${verdict.detail}`};
  if (verdict.kind === 'majority') ctx.log.warn(`node ${ctx.params.nodename}: ${verdict.detail}`);
  return OCF.SUCCESS;
}

// The management API failing says nothing about partitions (the plugin may
// be restarting): warn, and use the rate-limited rabbitmqctl check instead.
async function viewFromApiOrCtl(ctx: Ctx, due: boolean): Promise<ClusterView | undefined> {
  try {
    return await viewFromApi(ctx);
  } catch (error) {
    ctx.log.warn(`${(error as Error).message}: partition check through rabbitmqctl when due`);
    return due ? ctlView(ctx) : undefined;
  }
}

async function viewFromApi(ctx: Ctx): Promise<ClusterView | undefined> {
  const login = checkLogin(ctx);
  const host = connectAddress(ctx.params.ip);
  const port = ctx.params.management_port as number;
  const {httpRequest} = await import('../../lib/clients/http-request');
  const answer = await httpRequest({
    host,
    port,
    path: '/api/nodes',
    headers: {Authorization: `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`},
    deadline: ctx.deadline.slice({fraction: 0.5}),
    maxBytes: 4 * 1024 * 1024,
  });
  if (answer.kind === 'failed') throw new GenericError(`management API: ${answer.reason}`);
  if (answer.status !== 200) throw new GenericError(`management API ${host}:${port}/api/nodes answered ${answer.status} for ${login.user}`);
  return viewFromApiNodes(ctx.params.nodename, answer.body);
}

const ctlView = (ctx: Ctx): Promise<ClusterView> => ownStatus(ctx, ctx.deadline.slice({fraction: 0.8}));

// Is the periodic part of the cluster monitor due? Records this run when it is.
function periodicCheckDue(ctx: Ctx): boolean {
  const stamp = pathsOf(ctx).clusterCheckStamp;
  let last = 0;
  try {
    last = Number(readFileSync(stamp, 'utf8'));
  } catch {
    // never ran
  }
  const now = Date.now();
  if (ctx.params.cluster_check_interval > 0 && now - last < ctx.params.cluster_check_interval) return false;
  markPeriodicCheck(ctx, now);
  return true;
}

function markPeriodicCheck(ctx: Ctx, now = Date.now()): void {
  ctx.stateDir();
  writeFileSync(pathsOf(ctx).clusterCheckStamp, String(now));
}
