import {defineAgent} from '../../lib/ocf';
import {monitor, start, stop} from './actions';
import {parameters, type Ctx, type Params} from './parameters';
import {requireBackupDir, requireBinary, requireCredentials} from './prepare';

export const backup = defineAgent({
  name: 'backup',
  version: '0.1.0',
  shortdesc: 'Scheduled full and differential MariaDB backups where the database runs',
  longdesc:
    'Takes mariabackup sets of the MariaDB server on this node on a schedule: a full set every full_interval and, in between, differentials against the newest full every differential_interval, so a restore needs at most two sets. Colocate it with and order it after the mysql resource: the schedule then runs only where the database runs and moves with it on failover, so backups neither stop after a failover nor run on two nodes. ' +
    'The schedule lives in a scheduler process of this binary (hacloud backup daemon), started by start in its own session and tracked by a pidfile (with its start time) in /run/resource-agents/hacloud/<instance>/; stop ends it. Chosen over a systemd timer written at start because the cluster nodes do not run systemd as PID 1 (and test nodes run in namespaces), and because a process of our own is visible to monitor by its pid alone and dies with the node, while a timer file would outlive a crashed node and fire there at its next boot. ' +
    'Each set is written under a temporary name (.partial-<id>.<pid>), checked (the LSN range against its full), prepared on a copy (mariabackup --prepare, the differential applied onto its full: the proof that it restores), optionally compressed, checksummed file by file into manifest.json (type, base, LSN range, size, durations, SHA-256 per file) and only then renamed to its final name; hacloud backup list, verify and restore use only such sets. Retention (keep_full, keep_differential) runs after each success. ' +
    'Stop sends SIGTERM: a running mariabackup and its children are ended and the partial set removed; SIGKILL after 70 % of the timeout, and leftovers of a killed scheduler are removed. ' +
    'Monitor depth 0: 7 when the scheduler does not run (not armed). Depth 10: 1 when the last scheduled backup since start failed, when no full set started within full_interval + overdue_grace or no set within differential_interval + overdue_grace, or when status.json belongs to another scheduler. ' +
    'Codes: mariabackup or backup_dir missing 5, backup_dir not writable 4, credentials file readable by others 4, missing credentials file or refused log-in 2, invalid parameters 6.',
  parameters,
  checkSyntax,
  checkEnvironment,
  actions: {
    start: {timeout: 60, run: start},
    stop: {timeout: 120, run: stop},
    monitor: {timeout: 30, interval: 60, depth: 0, run: monitor, more: [{timeout: 30, interval: 300, depth: 10}]},
  },
});

function checkSyntax(p: Params): string[] {
  const problems: string[] = [];
  if (p.full_interval < 1000) problems.push('full_interval must be at least 1s');
  if (p.differential_interval < 1000) problems.push('differential_interval must be at least 1s');
  if (p.differential_interval >= p.full_interval) problems.push('differential_interval must be shorter than full_interval (no differential would ever be taken)');
  return problems;
}

// validate-all at OCF_CHECK_LEVEL 10: mariabackup, a writable backup_dir
// and a usable credentials file on this node (the server itself may run on the other).
function checkEnvironment(ctx: Ctx): void {
  requireBinary(ctx);
  requireBackupDir(ctx.params.backup_dir);
  requireCredentials(ctx);
}
