import {readdirSync, readFileSync, readlinkSync, realpathSync, statSync} from 'node:fs';

// Who keeps a block device busy: mounts of it and processes with it open.
// Read from /proc directly (no fuser, no lsof), for exit reasons such as
// "held open by mysqld[1234], mounted on /var/lib/mysql".
export interface DeviceHolders {
  mounts: string[];
  processes: {pid: number; comm: string}[];
}

// major:minor of a block device, following symlinks.
export function deviceNumber(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isBlockDevice()) return undefined;
    const rdev = stat.rdev;
    // Linux dev_t encoding (glibc gnu_dev_major/minor).
    const major = ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
    const minor = (rdev & 0xff) | ((rdev >> 12) & ~0xff);
    return `${major}:${minor}`;
  } catch {
    return undefined;
  }
}

// Mount points in /proc/self/mountinfo whose source is the device.
export function parseMountsOf(mountinfo: string, majorMinor: string): string[] {
  const points: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields[2] === majorMinor && fields[4]) points.push(fields[4].replace(/\\040/g, ' '));
  }
  return points;
}

export function findDeviceHolders(path: string): DeviceHolders {
  const majorMinor = deviceNumber(path);
  if (!majorMinor) return {mounts: [], processes: []};
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the given path
  }
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    // no /proc
  }
  const processes: {pid: number; comm: string}[] = [];
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    pids = [];
  }
  for (const pid of pids) {
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
    if (!holds) continue;
    let comm = '?';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // gone
    }
    processes.push({pid: Number(pid), comm});
  }
  return {mounts: parseMountsOf(mountinfo, majorMinor), processes};
}

// "mounted on /srv, held open by mysqld[1234]" or "" when nothing holds it.
export function describeHolders(holders: DeviceHolders): string {
  const parts: string[] = [];
  if (holders.mounts.length > 0) parts.push(`mounted on ${holders.mounts.join(', ')}`);
  if (holders.processes.length > 0) {
    parts.push(`held open by ${holders.processes.map((p) => `${p.comm}[${p.pid}]`).join(', ')}`);
  }
  return parts.join(', ');
}
