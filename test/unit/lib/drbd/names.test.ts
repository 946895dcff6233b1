import {isUsableDisk, toConnectionState, toDiskState, toRole} from '../../../../lib/drbd/names';

describe('state names from any drbd-utils version', () => {
  test.each([
    ['Connected', 'Connected'],
    ['StandAlone', 'StandAlone'],
    ['Connecting', 'Connecting'],
    ['WFConnection', 'Connecting'],
    ['WFReportParams', 'Connecting'],
    ['SyncSource', 'Connected'],
    ['PausedSyncT', 'Connected'],
    ['WFBitMapS', 'Connected'],
    ['Off', 'Unconnected'],
    ['Unconfigured', 'Unconnected'],
    ['connected', 'Unconnected'],
    [undefined, 'Unconnected'],
  ])('connection %s → %s', (text, state) => {
    expect(toConnectionState(text)).toBe(state);
  });

  test.each([
    ['UpToDate', 'UpToDate'],
    ['Diskless', 'Diskless'],
    ['Unconfigured', 'DUnknown'],
    ['', 'DUnknown'],
    [undefined, 'DUnknown'],
  ])('disk %s → %s', (text, state) => {
    expect(toDiskState(text)).toBe(state);
  });

  test.each([
    ['Primary', 'Primary'],
    ['Secondary', 'Secondary'],
    ['Unconfigured', 'Unknown'],
    ['Primary/Secondary', 'Unknown'],
    [undefined, 'Unknown'],
  ])('role %s → %s', (text, role) => {
    expect(toRole(text)).toBe(role);
  });

  test('usable data is UpToDate or Consistent', () => {
    expect(['UpToDate', 'Consistent', 'Outdated', 'Inconsistent', 'DUnknown', 'Diskless'].map((d) => isUsableDisk(d as never))).toEqual([true, true, false, false, false, false]);
  });
});
