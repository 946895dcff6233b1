import {checkDrbdConfig, parseDrbdConfig} from '../../../../lib/doctor/drbd-config';
import {cibOf, contextOf, FakeNode} from './fake-node';

const GLOBAL = `# /etc/drbd.conf
include "drbd.d/global_common.conf";
include "drbd.d/*.res";
`;
const COMMON = `global { usage-count no; }
common {
  handlers {
    split-brain "/usr/lib/hacloud/hacloud drbd-split-brain"; # hacloud records it
    initial-split-brain "/usr/lib/hacloud/hacloud drbd-split-brain";
    fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";
    after-resync-target "/usr/lib/drbd/crm-unfence-peer.9.sh";
  }
}
`;
const resource = (fencing: string) => `resource r0 {
  net { fencing ${fencing}; }
  on ctl1 { device /dev/drbd0; disk /dev/vdb; address 10.0.0.1:7789; meta-disk internal; }
  on ctl2 { device /dev/drbd0; disk /dev/vdb; address 10.0.0.2:7789; meta-disk internal; }
}
`;

describe('drbd config check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
  });
  afterEach(() => node.remove());
  const cib = (res = 'r0') => cibOf({drbd: {drbd_resource: res}});

  test('parses blocks, quoted words and comments', () => {
    expect(parseDrbdConfig('a { b "c d"; # x { ;\n e; } f;')).toEqual([
      {words: ['a'], block: [{words: ['b', 'c d']}, {words: ['e']}]},
      {words: ['f']},
    ]);
  });

  test('passes with the resource from an included .res file, fencing and handlers set', async () => {
    node.file('/etc/drbd.conf', GLOBAL);
    node.file('/etc/drbd.d/global_common.conf', COMMON);
    node.file('/etc/drbd.d/r0.res', resource('resource-and-stonith'));
    const r = checkDrbdConfig(await contextOf(node, cib()));
    expect(r).toMatchObject({status: 'pass'});
  });

  test('fails on a weaker fencing policy', async () => {
    node.file('/etc/drbd.conf', GLOBAL);
    node.file('/etc/drbd.d/global_common.conf', COMMON);
    node.file('/etc/drbd.d/r0.res', resource('resource-only'));
    const r = checkDrbdConfig(await contextOf(node, cib()));
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('fencing is resource-only');
  });

  test('fails without the hacloud split-brain handler (handlers not included)', async () => {
    node.file('/etc/drbd.conf', 'include "drbd.d/*.res";\n');
    node.file('/etc/drbd.d/r0.res', resource('resource-and-stonith'));
    const r = checkDrbdConfig(await contextOf(node, cib()));
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('split-brain');
    expect(r.detail).toContain('fence-peer unset');
  });

  test('fails when the configured resource is not defined, or drbd.conf is missing', async () => {
    node.file('/etc/drbd.conf', GLOBAL);
    node.file('/etc/drbd.d/r0.res', resource('resource-and-stonith'));
    expect((checkDrbdConfig(await contextOf(node, cib('r1')))).detail).toMatch(/resource r1 not defined.*defined: r0/);
    node.remove();
    expect(checkDrbdConfig(await contextOf(node, cib()))).toMatchObject({status: 'fail', detail: '/etc/drbd.conf: missing'});
  });
});
