import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {formatGiV08, formatShowGiV08} from '../../drbd-sim/gi';
import {diffEvents, eventObjects, helperEventLine, renderEventsNow} from '../../drbd-sim/render/events2';
import {renderCstate, renderDstate, renderProcDrbd, renderRole, renderShStatus, renderVersion} from '../../drbd-sim/render/misc';
import {renderStatusJson, renderStatusText} from '../../drbd-sim/render/status';
import type {MdFlags} from '../../drbd-sim/types';
import type {NodeView} from '../../drbd-sim/view';

const golden = (name: string): string => readFileSync(join(__dirname, '../../fixtures/drbd-sim', name), 'utf8');

// An 8.4 node of resource r0 as in the observed runs; override what differs.
function view(over: Partial<NodeView> = {}): NodeView {
  return {
    flavor: '8.4', resource: 'r0', minor: 0, nodeId: 0, up: true, role: 'Secondary', disk: 'UpToDate', suspended: 'no',
    backingDev: '/dev/vda', connExists: true, connName: 'peer', peerNodeId: 0, peerName: 'ctl2', conn: 'Connected',
    cstate84: 'Connected', peerRole: 'Primary', repl: 'Established', peerDisk: 'UpToDate', established: true,
    localAddress: 'ipv4:169.254.77.1:7789', peerAddress: 'ipv4:169.254.77.2:7789', syncDone: null, oosKiB: 0, sizeKiB: 65496,
    read: 0, written: 0, sent: 0, received: 0, alWrites: 8, bmWrites: 0, mayPromote: false, promotionScore: 0, quorum: true,
    ...over,
  };
}

const healthyPrimary = view({role: 'Primary', peerRole: 'Secondary', written: 256, sent: 256, alWrites: 9});
const healthySecondary = view({written: 256, received: 256});
const connecting = {conn: 'Connecting' as const, cstate84: 'WFConnection', peerRole: 'Unknown' as const, repl: 'Off' as const,
  peerDisk: 'DUnknown' as const, established: false};
const linkDownPrimary = view({...connecting, role: 'Primary', written: 256, sent: 256, alWrites: 9});
const divergedPrimary = view({...connecting, role: 'Primary', written: 1456, sent: 256, alWrites: 10, oosKiB: 1200});
const divergedSecondary = view({...connecting, written: 416, received: 256, alWrites: 9, oosKiB: 160});
const standAlone = {conn: 'StandAlone' as const, cstate84: 'StandAlone', connName: null, peerRole: 'Unknown' as const,
  repl: 'Off' as const, peerDisk: 'DUnknown' as const, established: false};
const splitPrimary = view({...divergedPrimary, ...standAlone});
const splitSecondary = view({...divergedSecondary, ...standAlone});
const stats = {verbose: true, statistics: true};

describe('8.4 renderings match the observed DRBD 8.4.11 output byte for byte', () => {
  test.each([
    ['observed-84-healthy-ctl1-events2.txt', healthyPrimary],
    ['observed-84-healthy-ctl2-events2.txt', healthySecondary],
    ['observed-84-linkdown-ctl1-events2.txt', linkDownPrimary],
    ['observed-84-diverged-ctl1-events2.txt', divergedPrimary],
    ['observed-84-diverged-ctl2-events2.txt', divergedSecondary],
    ['observed-84-splitbrain-ctl1-events2.txt', splitPrimary],
    ['observed-84-splitbrain-ctl2-events2.txt', splitSecondary],
    ['observed-84-s2-ctl2-events2-fenced.txt', view({...connecting, role: 'Primary', peerDisk: 'Outdated'})],
  ])('events2 --now: %s', (file, v) => {
    expect(renderEventsNow([v], {statistics: false})).toBe(golden(file));
  });

  test.each([
    ['observed-84-s3-ctl1-events2-statistics.txt', view({...connecting, role: 'Primary', written: 40, alWrites: 9, oosKiB: 40})],
    ['observed-84-s3-ctl2-events2-statistics.txt', view({...standAlone})],
  ])('events2 --now --statistics: %s', (file, v) => {
    expect(renderEventsNow([v], {statistics: true})).toBe(golden(file));
  });

  test.each([
    ['observed-84-healthy-ctl1-status-verbose-statistics.txt', healthyPrimary],
    ['observed-84-healthy-ctl2-status-verbose-statistics.txt', healthySecondary],
    ['observed-84-linkdown-ctl1-status-verbose-statistics.txt', linkDownPrimary],
    ['observed-84-diverged-ctl1-status-verbose-statistics.txt', divergedPrimary],
    ['observed-84-diverged-ctl2-status-verbose-statistics.txt', divergedSecondary],
    ['observed-84-splitbrain-ctl1-status-verbose-statistics.txt', splitPrimary],
    ['observed-84-splitbrain-ctl2-status-verbose-statistics.txt', splitSecondary],
  ])('status --verbose --statistics: %s', (file, v) => {
    expect(renderStatusText(v, stats)).toBe(golden(file));
  });

  test('status of a StandAlone Secondary omits the connection', () => {
    expect(renderStatusText(view({...standAlone}), {verbose: false, statistics: false})).toBe(golden('observed-84-s3-ctl2-status.txt'));
  });

  test('status wraps at 80 columns exactly as drbd-utils (a line of 80 stays whole)', () => {
    const text = renderStatusText(view({role: 'Primary', peerRole: 'Secondary', read: 1360, written: 1456, alWrites: 10, sent: 1360}), stats);
    expect(text.split('\n')[3]).toBe('      size:65496 read:1360 written:1456 al-writes:10 bm-writes:0 upper-pending:0');
  });

  test.each([
    ['observed-84-healthy-ctl1-sh-status.txt', healthyPrimary],
    ['observed-84-healthy-ctl2-sh-status.txt', healthySecondary],
    ['observed-84-linkdown-ctl1-sh-status.txt', linkDownPrimary],
    ['observed-84-diverged-ctl2-sh-status.txt', divergedSecondary],
    ['observed-84-splitbrain-ctl1-sh-status.txt', splitPrimary],
  ])('sh-status: %s', (file, v) => {
    expect(renderShStatus(v)).toBe(golden(file));
  });

  test.each([
    ['observed-84-healthy-ctl1-proc-drbd.txt', healthyPrimary],
    ['observed-84-diverged-ctl1-proc-drbd.txt', divergedPrimary],
    ['observed-84-diverged-ctl2-proc-drbd.txt', divergedSecondary],
    ['observed-84-splitbrain-ctl1-proc-drbd.txt', splitPrimary],
  ])('/proc/drbd: %s', (file, v) => {
    expect(renderProcDrbd('8.4', [v])).toBe(golden(file));
  });

  test.each([
    ['observed-84-healthy-ctl1-role-cstate-dstate.txt', healthyPrimary],
    ['observed-84-linkdown-ctl1-role-cstate-dstate.txt', linkDownPrimary],
    ['observed-84-splitbrain-ctl1-role-cstate-dstate.txt', splitPrimary],
    ['observed-84-splitbrain-ctl2-role-cstate-dstate.txt', splitSecondary],
  ])('role, cstate, dstate: %s', (file, v) => {
    expect(renderRole(v) + renderCstate(v) + renderDstate(v)).toBe(golden(file));
  });

  const flags = (over: Partial<MdFlags>): MdFlags => ({consistent: true, wasUpToDate: true, primary: false, connected: true,
    fullSync: false, peerOutdated: false, crashedPrimary: false, alClean: false, peerDeviceSeen: true, ...over});
  test.each([
    ['observed-84-healthy-ctl1-show-gi.txt', '7EB48A41FDFD74E7', true],
    ['observed-84-healthy-ctl2-show-gi.txt', '7EB48A41FDFD74E6', false],
  ])('show-gi: %s', (file, current, primary) => {
    const gi = {current, bitmap: '0000000000000000', history: ['0000000000000000', '0000000000000000'] as [string, string]};
    expect(formatShowGiV08(gi, flags({primary}), true)).toBe(golden(file));
  });

  test('get-gi lines of §3.5', () => {
    const gi = {current: '63A8729EBE259999', bitmap: '7EB48A41FDFD74E7', history: ['0000000000000000', '0000000000000000'] as [string, string]};
    expect(formatGiV08(gi, flags({primary: true, connected: false})))
      .toBe('63A8729EBE259999:7EB48A41FDFD74E7:0000000000000000:0000000000000000:1:1:1:0:0:0:0');
  });

  test('the event stream of a split brain (helper lines and the connection going away)', () => {
    const before = eventObjects(view({conn: 'Connected', peerRole: 'Unknown', repl: 'Off', peerDisk: 'DUnknown'}));
    const after = eventObjects(view({...standAlone}));
    expect(diffEvents(before, after)).toEqual([
      'destroy peer-device name:r0 peer-node-id:0 conn-name:peer volume:0',
      'destroy connection name:r0 peer-node-id:0 conn-name:peer',
    ]);
    expect(helperEventLine(view(), 'split-brain', null, true)).toBe('call helper name:r0 peer-node-id:0 conn-name:peer volume:0 minor:0 helper:split-brain');
    expect(helperEventLine(view(), 'split-brain', 0, true)).toBe('response helper name:r0 peer-node-id:0 conn-name:peer volume:0 minor:0 helper:split-brain status:0');
  });
});

describe('DRBD 9 renderings match the 9.22 renderings of the brief', () => {
  const v9 = view({
    flavor: '9', resource: 'mysql', role: 'Primary', backingDev: '/dev/vdb', peerNodeId: 1, peerName: 'ctl2',
    ...standAlone, connName: 'ctl2', connExists: true, cstate84: 'StandAlone', written: 1456, alWrites: 10, sent: 256, oosKiB: 1200,
    localAddress: 'ipv4:192.0.2.1:7789', peerAddress: 'ipv4:192.0.2.2:7789', promotionScore: 10101,
  });

  test('status --json of a split-brained Primary', () => {
    expect(renderStatusJson([v9])).toBe(golden('rendered-922-status-json-standalone-primary.txt'));
    expect(JSON.parse(renderStatusJson([v9]))).toHaveLength(1);
  });

  test('events2 --now of a split-brained Primary', () => {
    expect(renderEventsNow([v9], {statistics: false})).toBe(golden('rendered-922-events2-standalone-primary.txt'));
  });

  test('events2 --statistics puts write-ordering before may_promote, as utils 9.22 tests do', () => {
    const line = renderEventsNow([v9], {statistics: true}).split('\n')[0];
    expect(line).toBe('exists resource name:mysql role:Primary suspended:no force-io-failures:no write-ordering:flush may_promote:no promotion_score:10101');
  });

  test('text status: a connection that is not Connected shows its state', () => {
    expect(renderStatusText(v9, {verbose: false, statistics: false})).toBe('mysql role:Primary\n  disk:UpToDate\n  ctl2 connection:StandAlone\n\n');
  });

  test('role and dstate, --version', () => {
    expect(renderRole(v9)).toBe('Primary\n');
    expect(renderDstate(v9)).toBe('UpToDate/DUnknown\n');
    expect(renderVersion('9', false)).toContain('DRBD_KERNEL_VERSION_CODE=0x000000\nDRBD_KERNEL_VERSION=\n');
    expect(renderVersion('8.4', true)).toContain('DRBD_KERNEL_VERSION_CODE=0x08040b\nDRBD_KERNEL_VERSION=8.4.11\n');
  });
});
