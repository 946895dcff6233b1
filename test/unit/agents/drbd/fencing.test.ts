import {parseFenceConstraints, parseFencedSince} from '../../../../agents/drbd/fencing';

// The constraint crm-fence-peer.9.sh writes (brief §2.4), among others.
const CONSTRAINTS = `<constraints>
  <rsc_location rsc="ms_drbd_mysql" id="drbd-fence-by-handler-mysql-ms_drbd_mysql">
    <rule role="Master" score="-INFINITY" id="drbd-fence-by-handler-mysql-rule-ms_drbd_mysql">
      <expression attribute="#uname" operation="ne" value="ctl1" id="drbd-fence-by-handler-mysql-expr-0-ms_drbd_mysql"/>
    </rule>
  </rsc_location>
  <rsc_location rsc="ms_drbd_other" id="drbd-fence-by-handler-other-ms_drbd_other">
    <rule role="Promoted" score="-INFINITY" id="r2">
      <expression attribute="#uname" operation="ne" value="ctl2" id="e2"/>
    </rule>
  </rsc_location>
  <rsc_location rsc="vip" id="prefer-ctl2" node="ctl2" score="100"/>
  <rsc_colocation id="c1" rsc="fs" with-rsc="ms_drbd_mysql" with-rsc-role="Master" score="INFINITY"/>
</constraints>`;

describe('fence constraints', () => {
  test('finds the node a drbd-fence-by-handler constraint keeps the promoted role on', async () => {
    expect(await parseFenceConstraints(CONSTRAINTS, 'mysql')).toEqual([
      {id: 'drbd-fence-by-handler-mysql-ms_drbd_mysql', allowedOn: 'ctl1'},
    ]);
    expect(await parseFenceConstraints(CONSTRAINTS, 'other')).toEqual([{id: 'drbd-fence-by-handler-other-ms_drbd_other', allowedOn: 'ctl2'}]);
  });
  test('ignores other resources and other constraints', async () => {
    expect(await parseFenceConstraints(CONSTRAINTS, 'r0')).toEqual([]);
    expect(await parseFenceConstraints('<constraints/>', 'mysql')).toEqual([]);
  });
});

describe('fencing history', () => {
  const history = (completed: string, status = 'success', target = 'ctl2') => `<pacemaker-result api-version="2.25" request="stonith_admin --history * --output-as=xml">
  <fence_history>
    <fence_event action="reboot" target="${target}" client="pacemaker-controld.123" origin="ctl1" status="${status}" completed="${completed}"/>
    <fence_event action="reboot" target="ctl3" client="x" origin="ctl1" status="success" completed="Mon Jan  1 00:00:00 2001"/>
  </fence_history>
  <status code="0" message="OK"/>
</pacemaker-result>`;
  const split = Date.parse('2026-11-25T10:00:00Z');

  test.each(['2026-11-25 10:05:00 +00:00', 'Wed Nov 25 10:05:00 2026'])('a node fenced after the split (%s) counts', async (completed) => {
    expect(await parseFencedSince(history(completed), split - 24 * 3600_000)).toEqual(['ctl2']);
  });
  test('fencing before the split, or a failed one, does not', async () => {
    expect(await parseFencedSince(history('2026-11-25 09:00:00 +00:00'), split)).toEqual([]);
    expect(await parseFencedSince(history('2026-11-25 10:05:00 +00:00', 'failed'), split)).toEqual([]);
    expect(await parseFencedSince('<pacemaker-result><fence_history/></pacemaker-result>', split)).toEqual([]);
  });
});
