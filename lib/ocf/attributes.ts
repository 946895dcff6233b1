import {hostname} from 'node:os';
import {describeFailure, run} from '../sys/exec';
import type {Deadline} from './deadline';
import type {Logger} from './log';

// Every call to attrd or the CIB is bounded on its own: a hung pacemaker-attrd
// must not time out the monitor that publishes a score (LINBIT drbd-utils
// fixed this only in 9.30).
const ATTRIBUTE_TIMEOUT_MS = 5000;

export interface AttributeContext {
  deadline: Deadline;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

const bounded = (ctx: AttributeContext) => ctx.deadline.slice({ms: ATTRIBUTE_TIMEOUT_MS});

async function tool(ctx: AttributeContext, file: string, args: string[]): Promise<string | undefined> {
  const result = await run(file, args, {deadline: bounded(ctx), env: ctx.env});
  if (result.ok) return result.stdout;
  ctx.log.warn(describeFailure(result));
  return undefined;
}

// Sets this resource's promotion score (master-<instance>), transient: a
// reboot forgets it. Failures are logged, not fatal: scores are hints.
export async function setPromotionScore(ctx: AttributeContext, score: number, node?: string): Promise<boolean> {
  const args = ['--promotion', '--lifetime', 'reboot', '--update', String(score), ...(node ? ['--node', node] : [])];
  return (await tool(ctx, 'crm_attribute', args)) !== undefined;
}

export async function deletePromotionScore(ctx: AttributeContext, node?: string): Promise<boolean> {
  return (await tool(ctx, 'crm_attribute', ['--promotion', '--lifetime', 'reboot', '--delete', ...(node ? ['--node', node] : [])])) !== undefined;
}

// Publishes a transient node attribute through attrd (this node unless `node`).
// `private`: kept in attrd only (peers still see it), never written to the
// CIB, so updating it does not abort the transition Pacemaker is running.
// (attrd_updater applies it when it creates the attribute.)
export async function setNodeAttribute(
  ctx: AttributeContext,
  name: string,
  value: string,
  node?: string,
  {private: attrdOnly = false}: {private?: boolean} = {},
): Promise<boolean> {
  const args = ['--name', name, '--update', value, ...(node ? ['--node', node] : []), ...(attrdOnly ? ['--private'] : [])];
  return (await tool(ctx, 'attrd_updater', args)) !== undefined;
}

export async function deleteNodeAttribute(ctx: AttributeContext, name: string, node?: string): Promise<boolean> {
  return (await tool(ctx, 'attrd_updater', ['--name', name, '--delete', ...(node ? ['--node', node] : [])])) !== undefined;
}

// A node's transient attribute as attrd holds it; undefined when unset or attrd is unreachable.
export async function queryNodeAttribute(ctx: AttributeContext, name: string, node: string): Promise<string | undefined> {
  const result = await run('attrd_updater', ['--query', '--name', name, '--node', node], {deadline: bounded(ctx), env: ctx.env});
  if (!result.ok) return undefined;
  return parseAttrdQuery(result.stdout);
}

export interface AttrdValue {
  host: string;
  value: string;
}

// attrd_updater --query lines: `name="x" host="node1" value="42"`. The value
// is printed unescaped (it may hold quotes), so it runs to the line's last quote.
export function parseAttrdLines(text: string): AttrdValue[] {
  const values: AttrdValue[] = [];
  for (const line of text.split('\n')) {
    const match = /\bhost="([^"]*)" value="(.*)"\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2]) values.push({host: match[1], value: match[2]});
  }
  return values;
}

// The value of the first line; an empty value counts as unset.
export const parseAttrdQuery = (text: string): string | undefined => parseAttrdLines(text)[0]?.value;

// This node's name as Pacemaker knows it: the action's on_node meta
// attribute, else crm_node -n, else the host name.
export async function localNodeName(ctx: AttributeContext): Promise<string> {
  const fromMeta = ctx.env.OCF_RESKEY_CRM_meta_on_node;
  if (fromMeta) return fromMeta;
  const result = await run('crm_node', ['-n'], {deadline: bounded(ctx), env: ctx.env});
  return (result.ok && result.stdout.trim()) || hostname();
}
