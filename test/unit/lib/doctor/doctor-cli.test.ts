import {rmSync} from 'node:fs';
import {CHECKS} from '../../../../lib/doctor';
import {runCli} from '../../../../lib/cli/main';
import {runDoctor} from '../../../../lib/cli/doctor';
import {FakeNode} from './fake-node';

const CIB = `<cib><configuration>
  <crm_config><cluster_property_set id="o"><nvpair id="o-se" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
  <resources>
    <primitive id="fence_ctl2" class="stonith" type="fence_ipmilan"/>
    <clone id="ms_drbd_r0"><primitive id="drbd_r0" class="ocf" provider="hacloud" type="drbd"><instance_attributes id="d-ia"><nvpair id="d-r" name="drbd_resource" value="r0"/></instance_attributes></primitive></clone>
    <group id="g_mysql">
      <primitive id="fs_mysql" class="ocf" provider="hacloud" type="fs"><instance_attributes id="f-ia"><nvpair id="f-d" name="directory" value="/var/lib/mysql"/></instance_attributes></primitive>
      <primitive id="mysql" class="ocf" provider="hacloud" type="mysql"/>
    </group>
  </resources>
</configuration></cib>`;

const DRBD = `resource r0 {
  net { fencing resource-and-stonith; }
  handlers { split-brain "hacloud drbd-split-brain"; initial-split-brain "hacloud drbd-split-brain"; fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh"; after-resync-target "/usr/lib/drbd/crm-unfence-peer.9.sh"; }
}`;
const COROSYNC = 'nodelist {\n node {\n name: a\n }\n node {\n name: b\n }\n}\nquorum {\n provider: corosync_votequorum\n two_node: 1\n}\n';

describe('hacloud doctor', () => {
  let node: FakeNode;
  let out: string;
  beforeEach(() => {
    node = new FakeNode();
    out = '';
    // The core module object itself (an ES namespace cannot be spied on).
    jest.spyOn(require('node:fs') as typeof import('node:fs'), 'writeSync').mockImplementation((fd: number, text: unknown) => {
      if (fd === 1) out += String(text);
      return String(text).length;
    });
    for (const p of ['/usr/sbin/mariadbd', '/usr/sbin/drbdadm', '/usr/sbin/drbdsetup']) node.file(p, '', 0o755);
    node.file('/etc/mysql/my.cnf', '');
    node.file('/etc/drbd.conf', DRBD);
    node.file('/etc/corosync/corosync.conf', COROSYNC);
    node.file('/cib.xml', CIB);
    node.process(1, 'systemd', 0);
    node.process(40, 'chronyd', 1);
    // MariaDB started by hand: a warning, not a failure.
    node.process(50, 'mariadbd', 1);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    node.remove();
  });
  const lines = () => out.trim().split('\n').filter((l) => /^(PASS|WARN|FAIL|SKIP)  /.test(l));

  test('prints one line per check and exits 0 when there are only warnings', async () => {
    const code = await runDoctor({root: node.root, cib: `${node.root}/cib.xml`});
    expect(lines()).toHaveLength(CHECKS.length);
    expect(lines().filter((l) => l.startsWith('WARN'))).toEqual([expect.stringMatching(/^WARN  distro units: running outside Pacemaker: mariadbd \(pid 50, mysql\)/)]);
    expect(lines().some((l) => l.startsWith('FAIL'))).toBe(false);
    expect(out).toContain('checking drbd, fs, mysql (from the CIB)');
    expect(code).toBe(0);
  });

  test('exits 1 on a failed check, through the command line', async () => {
    rmSync(`${node.root}/proc/40`, {recursive: true});
    const code = await runCli(['doctor', '--root', node.root, '--cib', `${node.root}/cib.xml`]);
    expect(lines()).toHaveLength(CHECKS.length);
    expect(lines()).toContainEqual(expect.stringMatching(/^FAIL  time sync: no time daemon/));
    expect(out).toMatch(/\d+ passed, 1 warnings, 1 failed, \d+ skipped/);
    expect(code).toBe(1);
  });

  test('without a CIB under --root: stonith warns, the defaults are checked', async () => {
    const code = await runDoctor({root: node.root});
    expect(lines()).toContainEqual('WARN  stonith: not checked: --root given without --cib');
    expect(out).toContain('(from the defaults)');
    // The backup agent's mariabackup is missing from the fake node.
    expect(lines()).toContainEqual(expect.stringMatching(/^FAIL  binaries and configs: missing: backup: program mariabackup/));
    expect(code).toBe(1);
  });
});
