import {checkBinaries} from '../../../../lib/doctor/binaries';
import {cibOf, contextOf, FakeNode} from './fake-node';

describe('binaries and configs check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
  });
  afterEach(() => node.remove());
  const cib = () => cibOf({mysql: {}, drbd: {drbd_resource: 'r0'}, keystone: {}});
  const install = (skip: string[] = []) => {
    const files: [string, number][] = [
      ['/usr/sbin/mariadbd', 0o755], ['/etc/mysql/my.cnf', 0o644], ['/usr/sbin/drbdadm', 0o755], ['/usr/sbin/drbdsetup', 0o755],
      ['/etc/drbd.conf', 0o644], ['/usr/bin/uwsgi_python311', 0o755], ['/etc/keystone/keystone-uwsgi.ini', 0o644], ['/etc/keystone/keystone.conf', 0o640],
    ];
    for (const [path, mode] of files) if (!skip.includes(path)) node.file(path, '', mode);
  };

  test('passes when every program and file of the configured agents is present', async () => {
    install();
    const r = checkBinaries(await contextOf(node, cib()));
    expect(r.status).toBe('pass');
  });

  test('fails naming a missing program, a non-executable one and a missing config file', async () => {
    install(['/usr/sbin/drbdadm', '/etc/keystone/keystone.conf']);
    node.file('/usr/sbin/drbdadm', '', 0o644);
    const r = checkBinaries(await contextOf(node, cib()));
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('drbd: program drbdadm');
    expect(r.detail).toContain('keystone: file /etc/keystone/keystone.conf');
    expect(r.detail).not.toContain('mariadbd');
  });

  test('follows the parameters the CIB sets', async () => {
    install();
    const r = checkBinaries(await contextOf(node, cibOf({mysql: {binary: '/opt/mariadb/bin/mariadbd'}})));
    expect(r).toMatchObject({status: 'fail', detail: expect.stringContaining('/opt/mariadb/bin/mariadbd')});
  });
});
