import {parseCib} from '../../../../lib/doctor/cib';
import {checkStonith} from '../../../../lib/doctor/stonith';
import {contextOf, FakeNode} from './fake-node';

const cibXml = (enabled: string | undefined, fence: boolean) => `<cib><configuration>
  <crm_config><cluster_property_set id="cib-bootstrap-options">
    ${enabled === undefined ? '' : `<nvpair id="o-se" name="stonith-enabled" value="${enabled}"/>`}
    <nvpair id="o-nq" name="no-quorum-policy" value="stop"/>
  </cluster_property_set></crm_config>
  <nodes/>
  <resources>
    ${fence ? '<primitive id="fence_ctl1" class="stonith" type="fence_ipmilan"><instance_attributes id="f-ia"><nvpair id="f-ip" name="ip" value="192.0.2.1"/></instance_attributes></primitive>' : ''}
    <group id="g_mysql"><primitive id="mysql" class="ocf" provider="hacloud" type="mysql"><instance_attributes id="m-ia"><nvpair id="m-b" name="binary" value="/usr/sbin/mariadbd"/></instance_attributes></primitive></group>
  </resources>
  <constraints/>
</configuration></cib>`;

describe('stonith check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
  });
  afterEach(() => node.remove());
  const check = async (xml: string) => {
    const cib = parseCib(xml);
    return checkStonith(await contextOf(node, cib));
  };

  test('reads primitives inside groups and their parameters', () => {
    const cib = parseCib(cibXml('true', true));
    expect(cib.primitives.map((p) => [p.id, p.class])).toEqual([['fence_ctl1', 'stonith'], ['mysql', 'ocf']]);
    expect(cib.primitives[1]?.params).toEqual({binary: '/usr/sbin/mariadbd'});
    expect(cib.properties['no-quorum-policy']).toBe('stop');
  });
  test('passes with stonith enabled (or unset) and a device', async () => {
    expect((await check(cibXml('true', true))).status).toBe('pass');
    expect((await check(cibXml(undefined, true))).status).toBe('pass');
  });
  test('fails with stonith-enabled=false', async () => {
    expect(await check(cibXml('false', true))).toMatchObject({status: 'fail', detail: 'stonith-enabled is false'});
  });
  test('fails without a stonith device', async () => {
    expect(await check(cibXml('true', false))).toMatchObject({status: 'fail', detail: 'no stonith device configured'});
  });
  test('warns without a CIB', async () => {
    expect(checkStonith(await contextOf(node, undefined, {cibNote: 'no cluster answered'}))).toMatchObject({status: 'warn', detail: expect.stringContaining('no cluster answered')});
  });
});
