// Reading a cluster's state from inside one of its nodes and waiting for a
// condition on it: shared by the single-node harness and the multi-node lab.
import {GiveUpError, waitUntil} from '../helpers/wait';
import {type ClusterStatus, formatStatus, parseCrmMon} from './crm-mon';
import type {ExecOptions, ExecResult} from './node';

export type Exec = (argv: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

export interface WaitForOptions {
  what: string;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Default 500 ms. */
  intervalMs?: number;
  /** Stop waiting at once when this returns a reason (e.g. a start failure was recorded). */
  failIf?: (s: ClusterStatus) => string | undefined;
}

// One parsed `crm_mon --output-as=xml --inactive` snapshot, run through exec.
export async function readStatus(exec: Exec): Promise<ClusterStatus> {
  const r = await exec(['crm_mon', '--output-as=xml', '--inactive'], {timeoutMs: 20_000, reject: false});
  if (!r.stdout.includes('<pacemaker-result')) {
    throw new Error(`crm_mon failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return parseCrmMon(r.stdout);
}

// Polls `read` until predicate holds; `dead` names a reason to give up at once
// (the observing node is gone); on timeout the error carries the last status
// and whatever `logs` returns.
export function waitForStatus(read: () => Promise<ClusterStatus>, predicate: (s: ClusterStatus) => boolean,
  w: WaitForOptions, hooks: {dead?: () => string | undefined; logs?: () => string} = {}): Promise<ClusterStatus> {
  let last: ClusterStatus | undefined;
  return waitUntil(async () => {
    const dead = hooks.dead?.();
    if (dead !== undefined) throw new GiveUpError(dead);
    last = await read();
    if (predicate(last)) return last;
    const reason = w.failIf?.(last);
    if (reason !== undefined) throw new GiveUpError(reason);
    return undefined;
  }, {
    what: w.what, timeoutMs: w.timeoutMs ?? 60_000, intervalMs: w.intervalMs ?? 500,
    diagnose: () => `last status:\n${last ? formatStatus(last) : '(none)'}\n${hooks.logs?.() ?? ''}`,
  });
}
