import {formatMs, nextBackup, overdueReason, RETRY_MAX_MS} from '../../../../agents/backup/schedule';

const H = 3_600_000;
const settings = {fullIntervalMs: 24 * H, differentialIntervalMs: H, graceMs: 0.5 * H};
const armedAt = 1_000 * H;

describe('nextBackup', () => {
  test('no full set: a full at once (at arming)', () => {
    expect(nextBackup(settings, {armedAt})).toEqual({type: 'full', at: armedAt});
  });

  test('a differential one interval after the newest set, against a recent full', () => {
    expect(nextBackup(settings, {armedAt, latestFull: armedAt - 2 * H, latestSet: armedAt - 0.25 * H})).toEqual({type: 'differential', at: armedAt + 0.75 * H});
  });

  test('the full wins when it is due no later than the differential', () => {
    expect(nextBackup(settings, {armedAt, latestFull: armedAt - 24 * H, latestSet: armedAt - 0.5 * H})).toEqual({type: 'full', at: armedAt});
    expect(nextBackup(settings, {armedAt, latestFull: armedAt - 23.5 * H, latestSet: armedAt - 0.5 * H})).toEqual({type: 'full', at: armedAt + 0.5 * H});
  });

  test('after a failure: not before min(differential interval, 5 min)', () => {
    const failed = armedAt + 10;
    expect(nextBackup(settings, {armedAt, lastFailureAt: failed})).toEqual({type: 'full', at: failed + RETRY_MAX_MS});
    const quick = {...settings, differentialIntervalMs: 20_000, fullIntervalMs: 60_000};
    expect(nextBackup(quick, {armedAt, lastFailureAt: failed})).toEqual({type: 'full', at: failed + 20_000});
  });
});

describe('overdueReason', () => {
  test('nothing overdue right after arming, even with no set', () => {
    expect(overdueReason(settings, {armedAt}, armedAt + H)).toBeUndefined();
  });

  test('a differential interval + grace without any set after arming is overdue', () => {
    expect(overdueReason(settings, {armedAt}, armedAt + 1.5 * H + 1)).toMatch(/^differential backup overdue: none yet, differential_interval 1h \+ grace 30m$/);
  });

  test('full overdue counts from the newest full, not from arming when the full is newer', () => {
    const f = {armedAt, latestFull: armedAt + H, latestSet: armedAt + 25 * H};
    expect(overdueReason(settings, f, armedAt + 25.5 * H)).toBeUndefined();
    expect(overdueReason(settings, f, armedAt + 25.5 * H + 1)).toMatch(/^full backup overdue: the last started /);
  });

  test('a set within the interval keeps the schedule healthy', () => {
    expect(overdueReason(settings, {armedAt, latestFull: armedAt, latestSet: armedAt + 3 * H}, armedAt + 4 * H)).toBeUndefined();
    expect(overdueReason(settings, {armedAt, latestFull: armedAt, latestSet: armedAt + 3 * H}, armedAt + 4.6 * H)).toMatch(/^differential backup overdue/);
  });
});

test('formatMs', () => {
  expect([formatMs(86_400_000), formatMs(90_000), formatMs(3_600_000 + 1000), formatMs(250)]).toEqual(['1d', '1m30s', '1h1s', '250ms']);
});
