// drbdsetup wait-connect-resource / wait-connect-connection (9) and
// wait-connect (8.4): poll the shared state (each poll settles it, so a
// pending handshake happens) until the connection is established; give up
// early on StandAlone (unless --wait-after-sb) or after the timeout
// (0 = wait forever): exit 5, as observed on 8.4.
import {fail, ok, type Output} from '../errors';
import type {Env} from '../store';
import {withSession} from './session';

const POLL_MS = 200;

export interface WaitOptions {
  timeoutS: number;
  afterSb: boolean;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// Waits for the resource's connection on this node.
export function waitConnect(env: Env, resource: string, o: WaitOptions): Output {
  const deadline = o.timeoutS > 0 ? Date.now() + o.timeoutS * 1000 : Number.POSITIVE_INFINITY;
  for (;;) {
    let verdict = 'waiting' as 'connected' | 'standalone' | 'gone' | 'waiting';
    withSession(env, {mutates: false}, (ctx) => {
      const rt = ctx?.state.resources[resource]?.nodes[env.node]?.rt;
      if (!rt) verdict = 'gone';
      else if (rt.conn === 'Connected') verdict = 'connected';
      else if (rt.conn === 'StandAlone' && !o.afterSb) verdict = 'standalone';
      return ok();
    });
    if (verdict === 'connected') return ok();
    if (verdict === 'gone') return fail(`${resource}: No such resource\n`, 10);
    if (verdict === 'standalone') return fail('', 5);
    if (Date.now() >= deadline) return fail('', 5);
    sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
  }
}
