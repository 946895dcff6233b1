import {parseParameters} from '../../../../lib/ocf/parameters';
import {parseDuration} from '../../../../lib/ocf/duration';

const table = {
  on: {type: 'boolean', shortdesc: '', longdesc: ''},
  n: {type: 'integer', min: 1, max: 5, shortdesc: '', longdesc: ''},
  e: {type: 'enum', values: ['x', 'y'], shortdesc: '', longdesc: ''},
  d: {type: 'duration', unit: 'ms', shortdesc: '', longdesc: ''},
  a: {type: 'address', shortdesc: '', longdesc: ''},
  p: {type: 'path', shortdesc: '', longdesc: ''},
  s: {type: 'string', secret: true, shortdesc: '', longdesc: ''},
  r: {type: 'string', required: true, default: 'dflt', shortdesc: '', longdesc: ''},
} as const;

const parse = (env: Record<string, string>) =>
  parseParameters(table, Object.fromEntries(Object.entries(env).map(([k, v]) => [`OCF_RESKEY_${k}`, v])));

describe('parseParameters', () => {
  test.each([
    ['yes', true],
    ['TRUE', true],
    ['1', true],
    ['on', true],
    ['no', false],
    ['False', false],
    ['0', false],
    ['off', false],
  ])('boolean %s is %s', (raw, value) => {
    expect(parse({on: raw, r: 'x'}).values.on).toBe(value);
  });

  test('values are typed', () => {
    const {values, problems} = parse({n: '4', e: 'y', d: '2s', a: '2001:db8::1', p: '/etc/x', r: 'set'});
    expect(problems).toEqual([]);
    expect(values).toMatchObject({n: 4, e: 'y', d: 2000, a: '2001:db8::1', p: '/etc/x', r: 'set'});
  });

  test('a bare duration uses the declared unit', () => {
    expect(parse({d: '150', r: 'x'}).values.d).toBe(150);
  });

  test.each([
    ['on', 'maybe', 'is not a boolean (true/false, yes/no, 1/0, on/off)'],
    ['n', '0', 'must be at least 1'],
    ['n', '6', 'must be at most 5'],
    ['n', '1.5', 'is not an integer'],
    ['e', 'z', 'must be one of x, y'],
    ['d', 'soon', 'is not a duration (e.g. 500ms, 10s, 2m)'],
    ['a', '203.0.113.300', 'is not an IPv4 or IPv6 address'],
    ['p', 'relative/path', 'must be an absolute path'],
  ])('%s=%s is invalid: %s', (name, raw, message) => {
    const {problems} = parse({[name]: raw, r: 'x'});
    expect(problems).toEqual([{name, kind: 'invalid', message: `parameter ${name}=${JSON.stringify(raw)}: ${message}`}]);
  });

  test('an empty value counts as unset and takes the default', () => {
    expect(parse({r: ''}).values.r).toBe('dflt');
  });

  test('a missing required parameter is a problem even with a default', () => {
    expect(parse({}).problems).toEqual([{name: 'r', kind: 'missing', message: 'required parameter r is not set'}]);
  });

  test('secret values are collected and never shown in problems', () => {
    const table2 = {s: {type: 'integer', secret: true, shortdesc: '', longdesc: ''}} as const;
    const result = parseParameters(table2, {OCF_RESKEY_s: 'hunter2'});
    expect(result.secrets).toEqual(['hunter2']);
    expect(result.problems[0]?.message).toBe('parameter s=(secret): is not an integer');
  });
});

describe('parseDuration', () => {
  test.each([
    ['500ms', 's', 500],
    ['10s', 'ms', 10_000],
    ['2m', 's', 120_000],
    ['1h', 's', 3_600_000],
    ['1.5s', 's', 1500],
    ['7', 's', 7000],
    ['7', 'ms', 7],
  ] as const)('%s (bare unit %s) is %i ms', (text, unit, ms) => {
    expect(parseDuration(text, unit)).toBe(ms);
  });
  test.each(['', 'ten', '5 parsecs', '-1s'])('%j is not a duration', (text) => {
    expect(parseDuration(text, 's')).toBeUndefined();
  });
});
