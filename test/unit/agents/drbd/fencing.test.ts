import {parseFenceConstraints} from '../../../../agents/drbd/fencing';

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
