import {
  describeUsers,
  linkUsesMount,
  parseMaps,
  selectMountUsers,
  type MountTarget,
  type ObservedProcess,
} from '../../../../lib/sys/mount-users';

const target: MountTarget = {mountId: 77, devno: '7:1', mountPoint: '/var/tmp/x/mnt'};

describe('does a reference keep the mount busy', () => {
  test.each([
    [{kind: 'cwd', path: '/var/tmp/x/mnt', devno: '7:1'}, true],
    [{kind: 'cwd', path: '/var/tmp/x/mnt/deep/dir', devno: '7:1'}, true],
    // a sibling sharing the name prefix
    [{kind: 'cwd', path: '/var/tmp/x/mnt2', devno: '7:1'}, false],
    [{kind: 'fd', path: '/var/tmp/x/mnt2/file', devno: '7:1'}, false],
    // the directory under the mount point, shadowed by the mount (cwd taken before mounting)
    [{kind: 'cwd', path: '/var/tmp/x/mnt', devno: '254:0'}, false],
    // no device known: not proven, not touched
    [{kind: 'exe', path: '/var/tmp/x/mnt/bin/tool'}, false],
    [{kind: 'fd', path: '/var/tmp/x/mnt/log (deleted)', devno: '7:1'}, true],
    // a descriptor's mount id decides over the path
    [{kind: 'fd', path: '/var/tmp/x/mnt/db', mountId: 77}, true],
    [{kind: 'fd', path: '/var/tmp/x/mnt/db', mountId: 78, devno: '7:1'}, false],
    [{kind: 'map', path: '/var/tmp/x/mnt/lib.so', devno: '7:1'}, true],
    [{kind: 'root', path: '/', devno: '7:1'}, false],
  ] as const)('%j → %s', (link, expected) => {
    expect(linkUsesMount(link, target)).toBe(expected);
  });

  test('a mount point of / matches nothing, not even files on its device (#1304)', () => {
    const root: MountTarget = {mountId: 1, devno: '254:0', mountPoint: '/'};
    expect(linkUsesMount({kind: 'cwd', path: '/home/user', devno: '254:0'}, root)).toBe(false);
    expect(linkUsesMount({kind: 'fd', path: '/etc/passwd', mountId: 1}, root)).toBe(false);
  });
});

describe('selecting the users of a mount', () => {
  const observed: ObservedProcess[] = [
    {pid: 1, comm: 'init', links: [{kind: 'cwd', path: '/var/tmp/x/mnt', devno: '7:1'}]},
    {pid: 500, comm: 'hacloud', links: [{kind: 'cwd', path: '/var/tmp/x/mnt', devno: '7:1'}]},
    {
      pid: 600,
      comm: 'mysqld',
      startTime: 12345,
      links: [
        {kind: 'cwd', path: '/var/tmp/x/mnt', devno: '7:1'},
        {kind: 'fd', path: '/var/tmp/x/mnt/ibdata1', mountId: 77},
        {kind: 'fd', path: '/var/tmp/x/mnt/ibdata1', mountId: 77},
        {kind: 'fd', path: '/var/tmp/x/mnt2/other', devno: '7:9'},
      ],
    },
    {pid: 700, comm: 'sleep', links: [{kind: 'cwd', path: '/var/tmp/x/mnt2', devno: '7:2'}]},
    {pid: 800, comm: 'less', links: [{kind: 'map', path: '/var/tmp/x/mnt/data', devno: '7:1'}]},
  ];

  test('never pid 1, never the agent, never a process outside the mount', () => {
    const users = selectMountUsers(observed, target, 500);
    expect(users).toEqual([
      {pid: 600, comm: 'mysqld', startTime: 12345, uses: ['cwd', 'fd /var/tmp/x/mnt/ibdata1']},
      {pid: 800, comm: 'less', uses: ['map /var/tmp/x/mnt/data']},
    ]);
    expect(describeUsers(users)).toBe('mysqld[600], less[800]');
  });
});

describe('maps', () => {
  test('file-backed mappings below the directory, device in hex, one per file', () => {
    const maps = [
      '55d4c0a00000-55d4c0a02000 r--p 00000000 07:01 12         /var/tmp/x/mnt/bin/sleep',
      '55d4c0a02000-55d4c0a06000 r-xp 00002000 07:01 12         /var/tmp/x/mnt/bin/sleep',
      '7f00aa000000-7f00aa021000 rw-p 00000000 00:00 0 ',
      '7f00ab000000-7f00ab100000 r--p 00000000 fe:00 4242       /usr/lib/locale/C.utf8/LC_CTYPE',
      '7f00ac000000-7f00ac100000 r--p 00000000 103:05 99        /var/tmp/x/mnt/big file (deleted)',
      '7f00ad000000-7f00ad100000 r--p 00000000 07:02 7          /var/tmp/x/mnt2/lib.so',
      '7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0          [stack]',
    ].join('\n');
    expect(parseMaps(maps, '/var/tmp/x/mnt')).toEqual([
      {kind: 'map', path: '/var/tmp/x/mnt/bin/sleep', devno: '7:1'},
      {kind: 'map', path: '/var/tmp/x/mnt/big file (deleted)', devno: '259:5'},
    ]);
  });
});
