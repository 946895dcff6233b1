import {readFileSync, statSync} from 'node:fs';

// One line of /proc/<pid>/mountinfo (proc(5)):
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2)(3)   (4)   (5)      (6)      (7...)  (-) (8)    (9)         (10)
// Paths are unescaped (the kernel writes space, tab, newline and backslash as \ooo).
export interface MountEntry {
  id: number;
  parentId: number;
  // "major:minor" of the filesystem (field 3), as stat's st_dev: compare devices by this, not by names.
  devno: string;
  // The directory of the filesystem this mount shows at its mount point ("/" unless a bind mount of a subtree).
  root: string;
  mountPoint: string;
  options: string;
  // Optional fields (shared:N, master:N, propagate_from:N, unbindable).
  optional: string[];
  fstype: string;
  source: string;
  superOptions: string;
}

// \040 → space, \011 → tab, \012 → newline, \134 → backslash: any three-digit octal escape.
export const unescapeMountPath = (text: string): string =>
  text.replace(/\\([0-3][0-7]{2})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

// One mountinfo line; undefined for a line that does not have the shape.
export function parseMountinfoLine(line: string): MountEntry | undefined {
  const fields = line.split(' ');
  const separator = fields.indexOf('-', 6);
  if (separator < 0 || fields.length < separator + 3) return undefined;
  const [id, parentId, devno, root, mountPoint, options] = fields;
  if (!id || !parentId || !devno?.includes(':') || root === undefined || mountPoint === undefined) return undefined;
  return {
    id: Number(id),
    parentId: Number(parentId),
    devno,
    root: unescapeMountPath(root),
    mountPoint: unescapeMountPath(mountPoint),
    options: options ?? '',
    optional: fields.slice(6, separator),
    fstype: fields[separator + 1] ?? '',
    source: unescapeMountPath(fields[separator + 2] ?? ''),
    superOptions: fields[separator + 3] ?? '',
  };
}

// Every mount in file order (the order they were mounted in, parents first).
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = line ? parseMountinfoLine(line) : undefined;
    if (entry) entries.push(entry);
  }
  return entries;
}

// This process's mount table, read in-process (no fork); empty without /proc.
export function readMountinfo(path = '/proc/self/mountinfo'): MountEntry[] {
  try {
    return parseMountinfo(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

// Is `path` the directory `dir` or below it? Whole components only: /srv/a2 is not under /srv/a.
export function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  return path === dir || path.startsWith(`${dir}/`);
}

// The mount one sees at `dir`: of several stacked there, the one no other mount at `dir` sits on.
export function visibleMountAt(entries: readonly MountEntry[], dir: string): MountEntry | undefined {
  const here = entries.filter((e) => e.mountPoint === dir);
  return here.find((e) => !here.some((other) => other.parentId === e.id)) ?? here.at(-1);
}

// Mounts strictly below `dir`, in the order to unmount them: deepest path
// first, and of mounts stacked on one path the later (upper) one first.
export function mountsBelow(entries: readonly MountEntry[], dir: string): MountEntry[] {
  const depth = (e: MountEntry) => e.mountPoint.split('/').length;
  return entries
    .map((entry, order) => ({entry, order}))
    .filter(({entry}) => entry.mountPoint !== dir && isUnder(entry.mountPoint, dir))
    .sort((a, b) => depth(b.entry) - depth(a.entry) || b.order - a.order)
    .map(({entry}) => entry);
}

// Mount points of a filesystem, given as "major:minor".
export const mountPointsOf = (entries: readonly MountEntry[], devno: string): string[] =>
  entries.filter((e) => e.devno === devno).map((e) => e.mountPoint);

// "major:minor" of a dev_t (stat's dev or rdev), decoded as glibc's gnu_dev_major/minor do.
export function formatDevno(dev: number): string {
  const high = Math.floor(dev / 2 ** 32);
  const major = ((dev >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0);
  const minor = ((dev & 0xff) | ((dev >>> 12) & 0xfff00) | ((high & 0xfff) << 20)) >>> 0;
  return `${major}:${minor}`;
}

// "major:minor" of a block device (following symlinks such as /dev/disk/by-uuid/…); undefined when it is none.
export function blockDeviceNumber(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return stat.isBlockDevice() ? formatDevno(stat.rdev) : undefined;
  } catch {
    return undefined;
  }
}
