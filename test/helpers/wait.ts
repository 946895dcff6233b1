// Bounded polling for tests: every wait has a deadline and a clear error.

export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** What is awaited, for the error message ("vip Started on node1"). */
  what: string;
  /** Delay between probes (default 500 ms). */
  intervalMs?: number;
  /** Extra diagnostics appended to the timeout error (e.g. a log tail). */
  diagnose?: () => Promise<string> | string;
}

// Thrown by a probe to stop waiting at once (what it waits for can no longer happen).
export class GiveUpError extends Error {
  override name = 'GiveUpError';
}

// Polls `probe` until it returns a value other than undefined/false/null and
// returns that value; probe errors are retried and the last one is reported,
// except GiveUpError, which ends the wait at once.
export async function waitUntil<T>(probe: () => Promise<T | undefined | null | false>,
  opts: WaitOptions): Promise<T> {
  const start = Date.now();
  const deadline = start + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
      if (err instanceof GiveUpError) break;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(opts.intervalMs ?? 500, left));
  }
  let extra = '';
  if (opts.diagnose) {
    try {
      extra = await opts.diagnose();
    } catch (err) {
      extra = `(diagnostics failed: ${String(err)})`;
    }
  }
  const last = lastError === undefined ? ''
    : `\nlast error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  const gaveUp = lastError instanceof GiveUpError;
  throw new Error(`${gaveUp ? 'gave up' : 'timed out'} after ${((Date.now() - start) / 1000).toFixed(1)} s waiting for ${opts.what}`
    + `${last}${extra ? `\n${extra}` : ''}`);
}

// Milliseconds since `t0` as seconds with one decimal, for timing reports.
export function secondsSince(t0: number): string {
  return ((Date.now() - t0) / 1000).toFixed(1);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
