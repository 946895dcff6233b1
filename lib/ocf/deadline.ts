// Monotonic milliseconds. process.hrtime rather than monotonicMs(): the
// performance global loads perf_hooks, a millisecond of every agent start.
export const monotonicMs = (): number => {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
};

// The time an action may still use. Built from OCF_RESKEY_CRM_meta_timeout
// minus a margin, so the agent reports an exit reason before Pacemaker
// SIGKILLs its process group. Every wait and child process takes one.
export class Deadline {
  private constructor(private readonly expiresAt: number) {}

  // A deadline `ms` from now.
  static after(ms: number): Deadline {
    return new Deadline(monotonicMs() + Math.max(0, ms));
  }

  // The action's budget: the timeout minus 10 % (at least 1 s, at most 5 s),
  // never less than half the timeout.
  static forAction(timeoutMs: number): Deadline {
    const margin = Math.min(5000, Math.max(1000, timeoutMs * 0.1));
    return Deadline.after(Math.max(timeoutMs / 2, timeoutMs - margin));
  }

  remainingMs(): number {
    return Math.max(0, Math.floor(this.expiresAt - monotonicMs()));
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }

  // A shorter deadline inside this one: `fraction` of the time left, or `ms`, whichever is less.
  slice({fraction = 1, ms = Infinity}: {fraction?: number; ms?: number}): Deadline {
    return Deadline.after(Math.min(this.remainingMs() * fraction, ms));
  }

  // An AbortSignal that fires when the deadline passes.
  signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }

  // Sleeps `ms`, cut short by the deadline; false when the deadline has passed.
  async sleep(ms: number): Promise<boolean> {
    const wait = Math.min(ms, this.remainingMs());
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    return !this.expired();
  }

  // Polls `check` every `intervalMs` until it returns true (→ true) or the
  // deadline passes (→ false). `check` runs at least once.
  async poll(check: () => boolean | Promise<boolean>, intervalMs = 100): Promise<boolean> {
    for (;;) {
      if (await check()) return true;
      if (this.expired()) return false;
      await this.sleep(intervalMs);
    }
  }
}
