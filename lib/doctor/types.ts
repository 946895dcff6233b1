import {join} from 'node:path';
import type {CibFacts} from './cib';

// One line of `hacloud doctor`: a warn does not fail the run, a fail does;
// skip means the check does not apply or lacks its input (detail says which).
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

// What this pair runs: the agents configured and their parameter values
// (declared defaults, overridden by the description or the CIB).
export interface DoctorPlan {
  // Where the list came from, for the report.
  source: 'config' | 'cib' | 'defaults';
  agents: readonly string[];
  params: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

// Everything a check reads. Checks do no other I/O than reading files under
// `root`, so a test builds a fake node in a temporary directory.
export interface DoctorContext {
  // Prefix of every system path: '/' on a live node.
  root: string;
  plan: DoctorPlan;
  // The CIB; undefined when no cluster answered (cibNote says why).
  cib?: CibFacts;
  cibNote?: string;
  // Copies from the other node, to compare with this node's.
  peerCookie?: string;
  peerFernet?: string;
}

export type Check = (ctx: DoctorContext) => CheckResult;

// A system path under the context's root.
export const under = (ctx: DoctorContext, path: string): string => join(ctx.root, path);

// A parameter of a configured agent ('' when unset or the agent is absent).
export const param = (ctx: DoctorContext, agent: string, name: string): string => ctx.plan.params[agent]?.[name] ?? '';

export const configured = (ctx: DoctorContext, agent: string): boolean => ctx.plan.agents.includes(agent);

export const result = (name: string, status: CheckStatus, detail: string): CheckResult => ({name, status, detail});
