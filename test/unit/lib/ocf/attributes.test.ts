import {parseAttrdLines, parseAttrdQuery} from '../../../../lib/ocf/attributes';

describe('attrd_updater output', () => {
  test('values holding quotes and spaces are read to the last quote (attrd does not escape them)', () => {
    const text = 'name="drbd-r0-facts" host="ctl2" value="{"a":"b c"}"\nname="drbd-r0-facts" host="ctl1" value="{"x":1}"\n';
    expect(parseAttrdLines(text)).toEqual([
      {host: 'ctl2', value: '{"a":"b c"}'},
      {host: 'ctl1', value: '{"x":1}'},
    ]);
  });
  test('an empty or missing value is unset', () => {
    expect(parseAttrdQuery('name="x" host="n1" value=""')).toBeUndefined();
    expect(parseAttrdQuery('')).toBeUndefined();
    expect(parseAttrdQuery('name="x" host="n1" value="10"')).toBe('10');
  });
});
