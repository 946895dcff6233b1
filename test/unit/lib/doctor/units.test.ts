import {checkDistroUnits} from '../../../../lib/doctor/units';
import {cibOf, contextOf, FakeNode} from './fake-node';

describe('distro units check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
    node.process(1, 'systemd', 0);
    node.process(500, 'pacemakerd', 1);
    node.process(510, 'pacemaker-execd', 500);
  });
  afterEach(() => node.remove());
  const cib = () => cibOf({mysql: {}, rabbitmq: {}, keystone: {}});

  test('passes when no unit is enabled and the daemons run under pacemaker-execd', async () => {
    // A disabled unit file is present, but no link in a .wants directory.
    node.file('/etc/systemd/system/other.service', '');
    node.link('/etc/systemd/system/multi-user.target.wants/ssh.service', '/lib/systemd/system/ssh.service');
    node.process(600, 'mariadbd', 510);
    node.process(601, 'uwsgi_python311', 510, ['/usr/bin/uwsgi_python311', '--ini', '/etc/keystone/keystone-uwsgi.ini']);
    const r = checkDistroUnits(await contextOf(node, cib()));
    expect(r.status).toBe('pass');
  });

  test('fails when a managed service\'s unit is enabled in any .wants directory', async () => {
    node.link('/etc/systemd/system/multi-user.target.wants/mariadb.service', '/lib/systemd/system/mariadb.service');
    node.link('/etc/systemd/system/graphical.target.wants/rabbitmq-server.service', '/lib/systemd/system/rabbitmq-server.service');
    const r = checkDistroUnits(await contextOf(node, cib()));
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('mariadb.service');
    expect(r.detail).toContain('rabbitmq-server.service');
  });

  test('warns about a daemon running outside Pacemaker, naming it once (not its workers)', async () => {
    node.process(700, 'mariadbd', 1);
    node.process(701, 'uwsgi_python311', 1, ['/usr/bin/uwsgi_python311', '--ini', '/etc/keystone/keystone-uwsgi.ini']);
    node.process(702, 'uwsgi_python311', 701, ['/usr/bin/uwsgi_python311', '--ini', '/etc/keystone/keystone-uwsgi.ini']);
    // Not a managed service: ignored.
    node.process(703, 'sshd', 1);
    const r = checkDistroUnits(await contextOf(node, cib()));
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('pid 700');
    expect(r.detail).toContain('pid 701');
    expect(r.detail).not.toContain('pid 702');
    expect(r.detail).not.toContain('sshd');
  });
});
