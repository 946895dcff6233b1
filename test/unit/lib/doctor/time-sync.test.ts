import {checkTimeSync} from '../../../../lib/doctor/time-sync';
import {contextOf, FakeNode} from './fake-node';

describe('time sync check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
    node.process(1, 'systemd', 0);
  });
  afterEach(() => node.remove());

  test('passes when a time daemon runs (comm truncated to 15 characters)', async () => {
    node.process(300, 'systemd-timesyn', 1, ['/lib/systemd/systemd-timesyncd']);
    expect(checkTimeSync(await contextOf(node, undefined))).toMatchObject({status: 'pass', detail: 'systemd-timesyn running'});
  });
  test('fails when none runs', async () => {
    node.process(300, 'cron', 1);
    expect(checkTimeSync(await contextOf(node, undefined)).status).toBe('fail');
  });
});
