import {listProcesses} from '../sys/process-tree';
import {result, under, type CheckResult, type DoctorContext} from './types';

// Time daemons by command name (15 characters at most: systemd-timesyncd
// shows as systemd-timesyn; OpenNTPD's is ntpd too).
const TIME_DAEMONS = new Set(['chronyd', 'ntpd', 'systemd-timesyn', 'openntpd']);

// (8) Time sync: a time daemon runs. Corosync tolerates skew, but logs,
// Keystone token expiry and TLS do not; clocks apart make failures hard to read.
export function checkTimeSync(ctx: DoctorContext): CheckResult {
  const name = 'time sync';
  const found = [...new Set(listProcesses(under(ctx, '/proc')).map((p) => p.comm).filter((c) => TIME_DAEMONS.has(c)))];
  if (found.length === 0) return result(name, 'fail', 'no time daemon running (chronyd, ntpd, systemd-timesyncd, openntpd): apt install chrony');
  return result(name, 'pass', `${found.join(', ')} running`);
}
