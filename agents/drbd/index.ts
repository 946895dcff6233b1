import {defineAgent} from '../../lib/ocf';
import {parseScoreTable} from '../../lib/drbd/score';
import {parseSplitBrainPolicy} from '../../lib/drbd/split-brain';
import {checkDrbdEnvironment, demote, monitor, notify, promote, reload, start, stop} from './actions';

const parameters = {
  drbd_resource: {
    type: 'string',
    required: true,
    unique: true,
    shortdesc: 'DRBD resource name',
    longdesc: 'The name of the DRBD resource in the DRBD configuration.',
  },
  drbdconf: {
    type: 'path',
    default: '/etc/drbd.conf',
    shortdesc: 'DRBD configuration file',
    longdesc: 'Configuration file passed to drbdadm -c.',
  },
  adjust_master_score: {
    type: 'string',
    default: '0 10 1000 10000',
    shortdesc: 'Promotion score table',
    longdesc:
      'Four non-decreasing integers, as in ocf:linbit:drbd: the score when the local disk is only Consistent, when only a peer is UpToDate, when the local disk is UpToDate but the peer is unknown, and when the local disk is UpToDate and the peer is known (or this node is Primary). Scores of 0 or less delete the score.',
  },
  wfc_timeout: {
    type: 'integer',
    default: 5,
    min: 0,
    max: 3600,
    shortdesc: 'Seconds start waits for the peer',
    longdesc: 'After bringing the resource up, start waits at most this long for the connection to the peer; 0 does not wait.',
  },
  stop_outdates_secondary: {
    type: 'boolean',
    default: false,
    shortdesc: 'Outdate this disk on stop when the peer is Primary',
    longdesc:
      'On stop, if the clone notification says another node is Primary, mark the local disk Outdated (drbdadm outdate) so it cannot be promoted with stale data.',
  },
  ignore_missing_notifications: {
    type: 'boolean',
    default: false,
    shortdesc: 'Allow a clone without notify=true',
    longdesc: 'Do not refuse to run in a clone that lacks notify=true (the split-brain victim steps run in notifications).',
  },
  require_drbd_module_version_ge: {
    type: 'string',
    default: '8.4.0',
    shortdesc: 'Oldest DRBD kernel module accepted',
    longdesc: 'Refuse to run (not installed, 5) with a DRBD kernel module older than this version (x.y.z).',
  },
  require_drbd_module_version_lt: {
    type: 'string',
    default: '10.0.0',
    shortdesc: 'First DRBD kernel module version refused',
    longdesc: 'Refuse to run with a DRBD kernel module of this version or newer (set 9.0.0 to require 8.4).',
  },
  split_brain_policy: {
    type: 'string',
    default: 'discard-least-changes',
    shortdesc: 'Who loses a split brain',
    longdesc:
      'How the agent resolves a split brain in the promote path. discard-least-changes: the side with fewer changed blocks since the split is the victim (ties: discard-younger-primary). discard-younger-primary: the side that became Primary later is the victim. discard-node:<name>: that node is always the victim. manual: detect and report, never discard. A fencing decision already in the CIB (a drbd-fence-by-handler constraint) outranks the policy.',
  },
  victim_preserve: {
    type: 'enum',
    values: ['image', 'snapshot', 'none'],
    default: 'image',
    shortdesc: "How the victim's diverging data is kept",
    longdesc:
      "Before the victim discards its data: image copies its backing device into victim_preserve_dir; snapshot takes an LVM snapshot of its backing logical volume (victim_snapshot_size); none keeps nothing (explicit opt-out). If preservation fails the victim does not discard and stays disconnected.",
  },
  victim_preserve_dir: {
    type: 'path',
    default: '/var/lib/hacloud/drbd/preserved',
    shortdesc: 'Where victim images go',
    longdesc: 'Directory for victim_preserve=image copies: <resource>-<node>-<time>.img with a .sha256 beside it.',
  },
  victim_snapshot_size: {
    type: 'string',
    default: '20%ORIGIN',
    shortdesc: 'LVM snapshot size',
    longdesc: 'Size of the victim snapshot for victim_preserve=snapshot, as lvcreate --size or --extents (20%ORIGIN) takes it.',
  },
  split_brain_fact_max_age: {
    type: 'integer',
    default: 120,
    min: 10,
    max: 86400,
    shortdesc: "Seconds the peer's published facts stay valid",
    longdesc:
      'The split-brain decision uses facts each node publishes as transient node attributes on every monitor; facts older than this are stale and nothing is discarded.',
  },
  state_dir: {
    type: 'path',
    default: '/var/lib/hacloud/drbd',
    shortdesc: 'Durable state directory',
    longdesc:
      'Where the split-brain handler (hacloud drbd-split-brain) records events and the agent records the time this node last became Primary.',
  },
} as const;

export type DrbdParameters = typeof parameters;

export const drbd = defineAgent({
  name: 'drbd',
  version: '0.1.0',
  shortdesc: 'DRBD replicated block device (promotable) with split-brain recovery',
  longdesc:
    'Manages a DRBD resource as a promotable clone (notify=true, promoted-max=1); replaces ocf:linbit:drbd for DRBD 8.4 and 9 kernels. ' +
    'State comes from drbdsetup events2 --now --statistics, which both speak. Monitor returns 8 on the Primary, 0 on a Secondary, 7 when down, 9 or 1 when the local disk failed, and publishes a promotion score (adjust_master_score) plus this node\'s facts (generation identifiers, changed blocks, role, split-brain marker, last promotion time) as a private transient node attribute (kept in attrd, never written to the CIB, so publishing does not abort a transition). ' +
    'Split brain is detected from the marker written by DRBD\'s split-brain handler (configure handlers { split-brain "/usr/sbin/hacloud drbd-split-brain"; initial-split-brain "/usr/sbin/hacloud drbd-split-brain"; }) or from diverging generation identifiers, never from StandAlone alone. Both nodes compute the same decision from the published facts (split_brain_policy); the changed-block counts and promotion times are those each node saw when it first assessed the split (kept until it is Connected again), and neither node acts before both have published theirs, so the decision cannot change while both sides still write. Only the survivor keeps a promotion score. The victim preserves its diverging data (victim_preserve) and reconnects with --discard-my-data; the survivor reopens its connection and is promoted.',
  parameters,
  checkSyntax: (p) => {
    const problems: string[] = [];
    if (!/^[-%+./0-9:=@A-Z_a-z]+$/.test(p.drbd_resource)) problems.push(`drbd_resource=${p.drbd_resource} has characters DRBD does not allow`);
    if (!parseScoreTable(p.adjust_master_score)) problems.push(`adjust_master_score="${p.adjust_master_score}" is not four non-decreasing integers`);
    if (!parseSplitBrainPolicy(p.split_brain_policy)) {
      problems.push(`split_brain_policy=${p.split_brain_policy} is not discard-least-changes, discard-younger-primary, discard-node:<name> or manual`);
    }
    for (const [name, value] of [
      ['require_drbd_module_version_ge', p.require_drbd_module_version_ge],
      ['require_drbd_module_version_lt', p.require_drbd_module_version_lt],
    ] as const) {
      if (!/^\d+\.\d+\.\d+$/.test(value)) problems.push(`${name}=${value} is not a version x.y.z`);
    }
    return problems;
  },
  checkEnvironment: checkDrbdEnvironment,
  actions: {
    start: {timeout: 240, run: start},
    stop: {timeout: 100, run: stop},
    promote: {timeout: 90, run: promote},
    demote: {timeout: 90, run: demote},
    notify: {timeout: 90, run: notify},
    reload: {timeout: 30, run: reload},
    monitor: {
      timeout: 20,
      interval: 20,
      role: 'Unpromoted',
      run: monitor,
      more: [{timeout: 20, interval: 10, role: 'Promoted'}],
    },
  },
});
