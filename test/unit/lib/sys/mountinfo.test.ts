import {
  formatDevno,
  isUnder,
  mountPointsOf,
  mountsBelow,
  parseMountinfo,
  parseMountinfoLine,
  unescapeMountPath,
  visibleMountAt,
} from '../../../../lib/sys/mountinfo';

describe('mountinfo lines', () => {
  test('fields before and after the separator, with optional fields', () => {
    expect(parseMountinfoLine('36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue')).toEqual({
      id: 36,
      parentId: 35,
      devno: '98:0',
      root: '/mnt1',
      mountPoint: '/mnt2',
      options: 'rw,noatime',
      optional: ['master:1', 'shared:7'],
      fstype: 'ext3',
      source: '/dev/root',
      superOptions: 'rw,errors=continue',
    });
  });

  test('no optional fields', () => {
    const entry = parseMountinfoLine('44 26 7:1 / /var/tmp/x/mnt rw,relatime - ext4 /dev/loop1 rw');
    expect(entry).toMatchObject({optional: [], fstype: 'ext4', source: '/dev/loop1', mountPoint: '/var/tmp/x/mnt', devno: '7:1'});
  });

  test('octal escapes: space, tab, newline, backslash', () => {
    const entry = parseMountinfoLine('50 26 7:2 / /srv/a\\040b\\011c\\012d\\134e rw - ext4 /dev/disk/by-label/my\\040disk rw');
    expect(entry?.mountPoint).toBe('/srv/a b\tc\nd\\e');
    expect(entry?.source).toBe('/dev/disk/by-label/my disk');
    expect(unescapeMountPath('\\134040')).toBe('\\040');
  });

  test('a "-" inside the optional fields area is the separator only as a whole field', () => {
    const entry = parseMountinfoLine('51 26 0:50 / /srv/x-y rw shared:3 - tmpfs tmpfs-src rw');
    expect(entry).toMatchObject({mountPoint: '/srv/x-y', optional: ['shared:3'], fstype: 'tmpfs', source: 'tmpfs-src'});
  });

  test('a bind mount of a subtree shows its root', () => {
    const entry = parseMountinfoLine('60 26 7:1 /data/sub /srv/bound rw,relatime - ext4 /dev/loop1 rw');
    expect(entry).toMatchObject({root: '/data/sub', mountPoint: '/srv/bound', devno: '7:1'});
  });

  test('malformed lines are skipped', () => {
    expect(parseMountinfoLine('garbage')).toBeUndefined();
    expect(parseMountinfoLine('1 2 3:4 / /x rw ext4 /dev/x rw')).toBeUndefined();
    expect(parseMountinfo('\n\ngarbage\n44 26 7:1 / /m rw - ext4 /dev/loop1 rw\n')).toHaveLength(1);
  });
});

const table = parseMountinfo(
  [
    '26 1 254:0 / / rw - ext4 /dev/vda rw',
    '40 26 7:1 / /srv/a rw - ext4 /dev/loop1 rw',
    '41 40 7:2 / /srv/a/b rw - ext4 /dev/loop2 rw',
    '42 41 7:3 / /srv/a/b/c rw - ext4 /dev/loop3 rw',
    '43 40 7:4 / /srv/a/d rw - ext4 /dev/loop4 rw',
    '44 26 7:5 / /srv/a2 rw - ext4 /dev/loop5 rw',
    '45 41 7:6 / /srv/a/b rw - ext4 /dev/loop6 rw',
    '46 26 7:1 /sub /srv/bound rw - ext4 /dev/loop1 rw',
  ].join('\n'),
);

describe('mount table lookups', () => {
  test('mounts below a directory, deepest first, the upper of stacked mounts first, whole components only', () => {
    expect(mountsBelow(table, '/srv/a').map((m) => `${m.mountPoint}#${m.id}`)).toEqual([
      '/srv/a/b/c#42',
      '/srv/a/b#45',
      '/srv/a/d#43',
      '/srv/a/b#41',
    ]);
    expect(mountsBelow(table, '/srv/a2')).toEqual([]);
  });

  test('the visible one of mounts stacked on a directory', () => {
    expect(visibleMountAt(table, '/srv/a/b')?.id).toBe(45);
    expect(visibleMountAt(table, '/srv/a')?.id).toBe(40);
    expect(visibleMountAt(table, '/srv/none')).toBeUndefined();
  });

  test('every mount point of a device, bind mounts included', () => {
    expect(mountPointsOf(table, '7:1')).toEqual(['/srv/a', '/srv/bound']);
  });

  test('isUnder compares whole path components', () => {
    expect(isUnder('/srv/a', '/srv/a')).toBe(true);
    expect(isUnder('/srv/a/x', '/srv/a')).toBe(true);
    expect(isUnder('/srv/a2', '/srv/a')).toBe(false);
    expect(isUnder('/srv', '/srv/a')).toBe(false);
    expect(isUnder('/anything', '/')).toBe(true);
  });
});

describe('device numbers', () => {
  // glibc makedev(): the encoding stat() returns in st_dev / st_rdev.
  const makedev = (major: number, minor: number): number =>
    Number(
      ((BigInt(major) & 0xfffn) << 8n) |
        ((BigInt(major) & ~0xfffn) << 32n) |
        (BigInt(minor) & 0xffn) |
        ((BigInt(minor) & ~0xffn) << 12n),
    );
  test.each([
    [7, 1],
    [254, 0],
    [259, 5],
    [8, 300],
    [147, 0],
    [4095, 1048575],
    [4096, 1],
    [7, 1048576 + 5],
  ])('%i:%i round-trips', (major, minor) => {
    expect(formatDevno(makedev(major, minor))).toBe(`${major}:${minor}`);
  });
});
