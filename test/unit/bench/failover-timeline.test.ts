import {failoverSteps, logLineTime, medianSteps} from '../../bench/failover-timeline';

// Lines as the survivor ctl1's pacemaker.log had them in a lab failover (trimmed after the message).
const LOG = [
  'Dec 02 11:34:20.001 ctl1 pacemaker-controld  [68] (do_lrm_rsc_op) \tnotice: Requesting local execution of start operation for fs_mysql on ctl1 | transition_key=1',
  'Dec 02 11:34:26.713 ctl1 pacemaker-fenced    [64] (update_peer_state_iter) \tnotice: Node ctl2 state is now lost | nodeid=2',
  'Dec 02 11:34:26.717 ctl1 pacemaker-controld  [68] (update_peer_state_iter) \tnotice: Node ctl2 state is now lost | nodeid=2 previous=member',
  'Dec 02 11:34:28.581 ctl1 pacemaker-controld  [68] (handle_fence_notification) \tnotice: Peer ctl2 was terminated (reboot) by ctl1 on behalf of pacemaker-controld.68@ctl1: OK | event=fd15',
  'Dec 02 11:34:31.281 ctl1 pacemaker-controld  [68] (do_lrm_rsc_op) \tnotice: Requesting local execution of promote operation for drbd_r0 on ctl1 | transition_key=20',
  'Dec 02 11:34:34.101 ctl1 pacemaker-controld  [68] (log_executor_event) \tnotice: Result of promote operation for drbd_r0 on ctl1: ok | CIB update 88',
  'Dec 02 11:34:35.661 ctl1 pacemaker-controld  [68] (do_lrm_rsc_op) \tnotice: Requesting local execution of start operation for fs_mysql on ctl1 | transition_key=16',
  'Dec 02 11:34:35.821 ctl1 pacemaker-controld  [68] (log_executor_event) \tnotice: Result of start operation for fs_mysql on ctl1: ok | CIB update 104',
].join('\n');

describe('failover timeline from the survivor\'s log', () => {
  const powerOff = new Date(2026, 11, 2, 11, 34, 24, 700).getTime();

  test('reads the log\'s local time in the power-off\'s year', () => {
    expect(logLineTime(LOG.split('\n')[1] as string, 2026)).toBe(new Date(2026, 11, 2, 11, 34, 26, 713).getTime());
    expect(logLineTime('not a log line', 2026)).toBeUndefined();
  });

  test('each step once, its first time after the power-off, in order; the controller\'s view of the loss', () => {
    expect(failoverSteps(LOG, powerOff, 'ctl1', 'ctl2', ['drbd_r0', 'fs_mysql', 'vip_db'])).toEqual([
      {label: 'peer lost', at: 2017},
      {label: 'fencing confirmed', at: 3881},
      {label: 'drbd_r0 promote requested', at: 6581},
      {label: 'drbd_r0 promote done', at: 9401},
      {label: 'fs_mysql start requested', at: 10961},
      {label: 'fs_mysql start done', at: 11121},
    ]);
  });

  test('medians per step across runs', () => {
    const runs = [[{label: 'a', at: 1}, {label: 'b', at: 10}], [{label: 'a', at: 3}, {label: 'b', at: 30}], [{label: 'a', at: 2}]];
    expect(medianSteps(runs)).toEqual([{label: 'a', at: 2}, {label: 'b', at: 20}]);
  });
});
