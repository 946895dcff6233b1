// Assertions of one scenario: each check is counted; a failed one is
// recorded with what was expected and seen, and the scenario goes on where
// it still can.

export class Checks {
  passed = 0;
  readonly failures: string[] = [];

  constructor(private readonly log: (line: string) => void) {}

  that(what: string, ok: boolean, seen: unknown): boolean {
    if (ok) this.passed++;
    else this.failures.push(`${what}: saw ${JSON.stringify(seen)}`);
    this.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : ` (saw ${JSON.stringify(seen)})`}`);
    return ok;
  }

  equal<T>(what: string, seen: T, expected: T): boolean {
    return this.that(`${what} = ${JSON.stringify(expected)}`, JSON.stringify(seen) === JSON.stringify(expected), seen);
  }
}
