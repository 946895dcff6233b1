import {checkCorosync} from '../../../../lib/doctor/corosync';
import {contextOf, FakeNode} from './fake-node';

const conf = (quorum: string, nodes: number) => `totem {
  version: 2
  cluster_name: hacloud
}
nodelist {
${Array.from({length: nodes}, (_, i) => `  node {\n    ring0_addr: 10.0.0.${i + 1}\n    name: ctl${i + 1}\n    nodeid: ${i + 1}\n  }`).join('\n')}
}
quorum {
  provider: corosync_votequorum
${quorum}
}
`;

describe('corosync quorum check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
  });
  afterEach(() => node.remove());
  const check = async (text: string) => {
    node.file('/etc/corosync/corosync.conf', text);
    return checkCorosync(await contextOf(node, undefined));
  };

  test('passes with two nodes and two_node: 1', async () => {
    expect((await check(conf('  two_node: 1 # both', 2))).status).toBe('pass');
  });
  test('passes with three nodes and no two_node', async () => {
    expect((await check(conf('', 3))).status).toBe('pass');
  });
  test('fails with two nodes without two_node', async () => {
    expect(await check(conf('', 2))).toMatchObject({status: 'fail', detail: expect.stringContaining('two_node is not 1')});
  });
  test('fails on wait_for_all: 0', async () => {
    expect(await check(conf('  two_node: 1\n  wait_for_all: 0', 2))).toMatchObject({status: 'fail', detail: expect.stringContaining('wait_for_all: 0')});
  });
  test('fails when corosync.conf is missing', async () => {
    expect(checkCorosync(await contextOf(node, undefined)).status).toBe('fail');
  });
});
