import {Deadline} from '../../../../lib/ocf/deadline';
import {roundCheckLevel} from '../../../../lib/ocf/check-level';
import {ocfCodeName, isOcfCode} from '../../../../lib/ocf/exit-codes';

describe('Deadline', () => {
  test.each([
    [20_000, 18_000],
    [5_000, 4_000],
    [100_000, 95_000],
    [1_000, 500],
  ])('an action timeout of %i ms leaves %i ms', (timeout, budget) => {
    const remaining = Deadline.forAction(timeout).remainingMs();
    expect(remaining).toBeLessThanOrEqual(budget);
    expect(remaining).toBeGreaterThan(budget - 50);
  });

  test('slice takes a fraction or a cap of what is left', () => {
    const d = Deadline.after(10_000);
    expect(d.slice({fraction: 0.5}).remainingMs()).toBeLessThanOrEqual(5000);
    expect(d.slice({ms: 1000}).remainingMs()).toBeLessThanOrEqual(1000);
  });

  test('poll gives up when the deadline passes', async () => {
    const d = Deadline.after(200);
    const started = Date.now();
    let calls = 0;
    expect(await d.poll(() => (calls++, false), 20)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(600);
    expect(calls).toBeGreaterThan(3);
  });

  test('poll returns true as soon as the check holds', async () => {
    let n = 0;
    expect(await Deadline.after(5000).poll(() => ++n === 3, 10)).toBe(true);
    expect(n).toBe(3);
  });

  test('sleep is cut short by the deadline', async () => {
    const started = Date.now();
    expect(await Deadline.after(100).sleep(5000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('signal aborts when the deadline passes', async () => {
    const signal = Deadline.after(50).signal();
    await new Promise((r) => setTimeout(r, 150));
    expect(signal.aborted).toBe(true);
  });
});

describe('roundCheckLevel', () => {
  test.each([
    [0, [0, 10, 20], 0],
    [9, [0, 10, 20], 0],
    [10, [0, 10, 20], 10],
    [19, [0, 10, 20], 10],
    [50, [0, 10, 20], 20],
    [50, [0], 0],
    [5, [10], 10],
    [5, [], 0],
  ])('level %i with depths %j is %i', (requested, supported, level) => {
    expect(roundCheckLevel(requested, supported)).toBe(level);
  });
});

describe('exit codes', () => {
  test('names and membership', () => {
    expect(ocfCodeName(7)).toBe('OCF_NOT_RUNNING');
    expect(ocfCodeName(8)).toBe('OCF_RUNNING_PROMOTED');
    expect(ocfCodeName(190)).toBe('OCF_DEGRADED');
    expect(isOcfCode(9)).toBe(true);
    expect(isOcfCode(10)).toBe(false);
    expect(isOcfCode(126)).toBe(false);
  });
});
