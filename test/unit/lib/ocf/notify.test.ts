import {parseNotifyEnv, unames, type NotifyEnv} from '../../../../lib/ocf/notify';

const P = 'OCF_RESKEY_CRM_meta_notify_';

const EMPTY: NotifyEnv = {
  active: [],
  inactive: [],
  start: [],
  stop: [],
  promote: [],
  demote: [],
  promoted: [],
  unpromoted: [],
  available: [],
  all: [],
};

describe('parseNotifyEnv', () => {
  test('no notify variables at all (notify=false, or ocf-tester): empty lists, no type', () => {
    expect(parseNotifyEnv({})).toEqual(EMPTY);
  });

  test('a pre-promote notification as Pacemaker 2.1 sends it (leading spaces, " " for empty lists, legacy names too)', () => {
    const env = {
      [`${P}type`]: 'pre',
      [`${P}operation`]: 'promote',
      [`${P}active_resource`]: ' drbd_mysql:0 drbd_mysql:1',
      [`${P}active_uname`]: ' ctl1 ctl2',
      [`${P}inactive_resource`]: ' ',
      [`${P}start_resource`]: ' ',
      [`${P}start_uname`]: ' ',
      [`${P}stop_resource`]: ' ',
      [`${P}stop_uname`]: ' ',
      [`${P}promote_resource`]: ' drbd_mysql:1',
      [`${P}promote_uname`]: ' ctl2',
      [`${P}demote_resource`]: ' ',
      [`${P}demote_uname`]: ' ',
      [`${P}promoted_resource`]: ' ',
      [`${P}promoted_uname`]: ' ',
      [`${P}master_resource`]: ' ',
      [`${P}master_uname`]: ' ',
      [`${P}unpromoted_resource`]: ' drbd_mysql:0 drbd_mysql:1',
      [`${P}unpromoted_uname`]: ' ctl1 ctl2',
      [`${P}slave_resource`]: ' drbd_mysql:0 drbd_mysql:1',
      [`${P}slave_uname`]: ' ctl1 ctl2',
      [`${P}available_uname`]: ' ctl2 ctl1',
      [`${P}all_uname`]: ' ctl1 ctl2',
    };
    expect(parseNotifyEnv(env)).toEqual<NotifyEnv>({
      type: 'pre',
      operation: 'promote',
      active: [
        {resource: 'drbd_mysql:0', uname: 'ctl1'},
        {resource: 'drbd_mysql:1', uname: 'ctl2'},
      ],
      inactive: [],
      start: [],
      stop: [],
      promote: [{resource: 'drbd_mysql:1', uname: 'ctl2'}],
      demote: [],
      promoted: [],
      unpromoted: [
        {resource: 'drbd_mysql:0', uname: 'ctl1'},
        {resource: 'drbd_mysql:1', uname: 'ctl2'},
      ],
      available: [
        {resource: '', uname: 'ctl2'},
        {resource: '', uname: 'ctl1'},
      ],
      all: [
        {resource: '', uname: 'ctl1'},
        {resource: '', uname: 'ctl2'},
      ],
    });
  });

  test('older Pacemaker: promoted falls back to master_*, unpromoted to slave_*', () => {
    const env = {
      [`${P}type`]: 'post',
      [`${P}operation`]: 'demote',
      [`${P}master_resource`]: 'drbd:0',
      [`${P}master_uname`]: 'ctl1',
      [`${P}slave_resource`]: 'drbd:1',
      [`${P}slave_uname`]: 'ctl2',
    };
    const parsed = parseNotifyEnv(env);
    expect(parsed.promoted).toEqual([{resource: 'drbd:0', uname: 'ctl1'}]);
    expect(parsed.unpromoted).toEqual([{resource: 'drbd:1', uname: 'ctl2'}]);
  });

  test('the new names win when both are set', () => {
    const parsed = parseNotifyEnv({[`${P}promoted_uname`]: 'ctl2', [`${P}master_uname`]: 'ctl1'});
    expect(unames(parsed.promoted)).toEqual(['ctl2']);
  });

  test('inactive instances have resources but no unames', () => {
    const parsed = parseNotifyEnv({[`${P}inactive_resource`]: ' drbd:1 '});
    expect(parsed.inactive).toEqual([{resource: 'drbd:1', uname: ''}]);
    expect(unames(parsed.inactive)).toEqual([]);
  });

  test('lists of different length pair up as far as they go', () => {
    const parsed = parseNotifyEnv({[`${P}start_resource`]: 'a:0 a:1', [`${P}start_uname`]: 'n1'});
    expect(parsed.start).toEqual([
      {resource: 'a:0', uname: 'n1'},
      {resource: 'a:1', uname: ''},
    ]);
  });

  test.each([['PRE'], ['both'], [''], [' ']])('an unknown type %j is left out', (type) => {
    expect(parseNotifyEnv({[`${P}type`]: type}).type).toBeUndefined();
  });

  test('an unknown operation is left out; surrounding blanks are not', () => {
    expect(parseNotifyEnv({[`${P}operation`]: 'migrate_to'}).operation).toBeUndefined();
    expect(parseNotifyEnv({[`${P}operation`]: ' start '}).operation).toBe('start');
  });
});

describe('unames', () => {
  test('drops blanks and repeats, keeps order', () => {
    expect(unames([{resource: 'a', uname: 'n2'}, {resource: 'b', uname: ''}, {resource: 'c', uname: 'n1'}, {resource: 'd', uname: 'n2'}])).toEqual(['n2', 'n1']);
  });
});
