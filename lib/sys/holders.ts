import {readdirSync, readlinkSync, realpathSync} from 'node:fs';
import {describeUsers} from './mount-users';
import {listPids, readComm} from './proc-list';
import {blockDeviceNumber, mountPointsOf, parseMountinfo, readMountinfo} from './mountinfo';

// Who keeps a block device busy: mounts of it and processes with it open.
// Read from /proc directly (no fuser, no lsof), for exit reasons such as
// "held open by mysqld[1234], mounted on /var/lib/mysql".
export interface DeviceHolders {
  mounts: string[];
  processes: {pid: number; comm: string}[];
}

// major:minor of a block device, following symlinks.
export const deviceNumber = blockDeviceNumber;

// Mount points in /proc/self/mountinfo whose source is the device.
export const parseMountsOf = (mountinfo: string, majorMinor: string): string[] =>
  mountPointsOf(parseMountinfo(mountinfo), majorMinor);

export function findDeviceHolders(path: string): DeviceHolders {
  const majorMinor = deviceNumber(path);
  if (!majorMinor) return {mounts: [], processes: []};
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the given path
  }
  const processes: {pid: number; comm: string}[] = [];
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return target === real || target === path;
      } catch {
        return false;
      }
    });
    if (holds) processes.push({pid, comm: readComm(pid)});
  }
  return {mounts: mountPointsOf(readMountinfo(), majorMinor), processes};
}

// "mounted on /srv, held open by mysqld[1234]" or "" when nothing holds it.
export function describeHolders(holders: DeviceHolders): string {
  const parts: string[] = [];
  if (holders.mounts.length > 0) parts.push(`mounted on ${holders.mounts.join(', ')}`);
  if (holders.processes.length > 0) {
    parts.push(`held open by ${describeUsers(holders.processes)}`);
  }
  return parts.join(', ');
}
