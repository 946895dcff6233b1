import {readdirSync, readFileSync, readlinkSync, statSync} from 'node:fs';
import {formatDevno, isUnder} from './mountinfo';
import {readProcStat} from './proc';
import {listPids, readComm} from './proc-list';

// Which processes keep a mount busy, found by reading /proc ourselves: no
// fuser, which resolves a failed bind mount to / and kills everything
// (resource-agents #1304) and blocks on a dead NFS server (PR #423).

export type LinkKind = 'cwd' | 'root' | 'exe' | 'fd' | 'map';

// One reference a process holds to a file: its cwd, root, executable, an
// open descriptor or a file-backed memory mapping.
export interface ObservedLink {
  kind: LinkKind;
  // As /proc shows it (readlink, or the maps path column).
  path: string;
  // st_dev of the file ("major:minor"), when known.
  devno?: string;
  // The mount the descriptor was opened through (fdinfo mnt_id), when known.
  mountId?: number;
}

export interface ObservedProcess {
  pid: number;
  comm: string;
  // Clock ticks after boot: with the pid, names this process across pid reuse.
  startTime?: number;
  links: ObservedLink[];
}

// The mount to free, as mountinfo describes it.
export interface MountTarget {
  mountId: number;
  devno: string;
  mountPoint: string;
}

export interface MountUser {
  pid: number;
  comm: string;
  startTime?: number;
  // What it holds: "cwd", "fd 3 /srv/data/log", …
  uses: string[];
}

const DELETED = / \(deleted\)$/;

// Does this reference keep the mount busy? Only a path below the mount point
// can (whole path components: /srv/a2 is not /srv/a), and then only when it
// is really on this mount: the descriptor's mount id when /proc gave it, else
// the file's device. A directory shadowed by the mount has the path but not
// the device. A mount point of / never matches anything.
export function linkUsesMount(link: ObservedLink, target: MountTarget): boolean {
  if (target.mountPoint === '/' || !target.mountPoint.startsWith('/')) return false;
  if (!isUnder(link.path.replace(DELETED, ''), target.mountPoint)) return false;
  if (link.mountId !== undefined) return link.mountId === target.mountId;
  return link.devno === target.devno;
}

// The processes among `processes` that use the mount; never `self` (the
// agent) nor pid 1.
export function selectMountUsers(processes: readonly ObservedProcess[], target: MountTarget, self: number): MountUser[] {
  const users: MountUser[] = [];
  for (const observed of processes) {
    if (observed.pid === self || observed.pid <= 1) continue;
    const uses = observed.links
      .filter((link) => linkUsesMount(link, target))
      .map((link) => (link.kind === 'cwd' || link.kind === 'root' || link.kind === 'exe' ? link.kind : `${link.kind} ${link.path}`));
    if (uses.length === 0) continue;
    const user: MountUser = {pid: observed.pid, comm: observed.comm, uses: [...new Set(uses)]};
    if (observed.startTime !== undefined) user.startTime = observed.startTime;
    users.push(user);
  }
  return users;
}

// "sleep[123], sh[456]" for logs and exit reasons.
export const describeUsers = (users: readonly Pick<MountUser, 'pid' | 'comm'>[]): string =>
  users.map((u) => `${u.comm}[${u.pid}]`).join(', ');

const readLink = (path: string): string | undefined => {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
};

const statDevno = (path: string): string | undefined => {
  try {
    return formatDevno(statSync(path).dev);
  } catch {
    return undefined;
  }
};

const fdMountId = (pid: number, fd: string): number | undefined => {
  try {
    const match = /^mnt_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
};

// File-backed mappings of /proc/<pid>/maps below `dir`: "addr perms offset MM:mm inode path",
// the device in hex.
export function parseMaps(text: string, dir: string): ObservedLink[] {
  const links = new Map<string, ObservedLink>();
  for (const line of text.split('\n')) {
    const match = /^\S+ \S+ \S+ ([0-9a-f]+):([0-9a-f]+) (\d+)\s+(\/.*)$/.exec(line);
    if (!match || match[3] === '0' || !isUnder((match[4] as string).replace(DELETED, ''), dir)) continue;
    const devno = `${parseInt(match[1] as string, 16)}:${parseInt(match[2] as string, 16)}`;
    links.set(`${devno} ${match[4]}`, {kind: 'map', path: match[4] as string, devno});
  }
  return [...links.values()];
}

// What one process holds below `dir`. Only paths below it are looked at
// further (stat, fdinfo), so a hung filesystem elsewhere cannot block the scan.
export function observeProcess(pid: number, dir: string): ObservedProcess | undefined {
  const base = `/proc/${pid}`;
  const links: ObservedLink[] = [];
  const below = (path: string | undefined): path is string => path !== undefined && isUnder(path.replace(DELETED, ''), dir);
  for (const kind of ['cwd', 'root', 'exe'] as const) {
    const path = readLink(`${base}/${kind}`);
    if (below(path)) links.push({kind, path, ...optional('devno', statDevno(`${base}/${kind}`))});
  }
  let fds: string[] = [];
  try {
    fds = readdirSync(`${base}/fd`);
  } catch {
    // gone, or a kernel thread
  }
  for (const fd of fds) {
    const path = readLink(`${base}/fd/${fd}`);
    if (!below(path)) continue;
    const mountId = fdMountId(pid, fd);
    links.push({kind: 'fd', path, ...(mountId === undefined ? optional('devno', statDevno(`${base}/fd/${fd}`)) : {mountId})});
  }
  try {
    links.push(...parseMaps(readFileSync(`${base}/maps`, 'utf8'), dir));
  } catch {
    // gone
  }
  if (links.length === 0) return undefined;
  const startTime = readProcStat(pid)?.startTime;
  return {pid, comm: readComm(pid), ...optional('startTime', startTime), links};
}

const optional = <K extends string, V>(key: K, value: V | undefined): {[P in K]?: V} =>
  (value === undefined ? {} : {[key]: value}) as {[P in K]?: V};

// Every process on this node that keeps the mount busy (see linkUsesMount).
export function findMountUsers(target: MountTarget, self = process.pid): MountUser[] {
  if (target.mountPoint === '/') return [];
  const observed: ObservedProcess[] = [];
  for (const pid of listPids()) {
    if (pid === self || pid <= 1) continue;
    const seen = observeProcess(pid, target.mountPoint);
    if (seen) observed.push(seen);
  }
  return selectMountUsers(observed, target, self);
}

// Signals a user found by a scan, unless its pid now names another process
// (it exited and the pid was reused). False when it is gone.
export function signalUser(user: Pick<MountUser, 'pid' | 'startTime'>, signal: NodeJS.Signals | number): boolean {
  const stat = readProcStat(user.pid);
  if (!stat || (user.startTime !== undefined && stat.startTime !== user.startTime)) return false;
  try {
    process.kill(user.pid, signal);
    return true;
  } catch {
    return false;
  }
}

// Is the user still alive (and the same process)?
export function isUserAlive(user: Pick<MountUser, 'pid' | 'startTime'>): boolean {
  const stat = readProcStat(user.pid);
  return stat !== undefined && (user.startTime === undefined || stat.startTime === user.startTime);
}
