import {renameSync, writeFileSync} from 'node:fs';
import {markerAttribute, markerPath} from './facts';
import {run} from '../../lib/sys/exec';
import {Deadline} from '../../lib/ocf/deadline';
import {ensureDirectory} from '../../lib/sys/directories';

export const DEFAULT_STATE_DIR = '/var/lib/hacloud/drbd';

// DRBD's split-brain and initial-split-brain handler (`hacloud
// drbd-split-brain`, configured in drbd.conf). The kernel ignores its exit
// code, so it records the event durably first — a marker file the agent's
// monitor reads — and then, best effort, as a transient node attribute.
// Never fails: a handler error would only hide the event.
export async function recordSplitBrain(env: NodeJS.ProcessEnv, stateDir = DEFAULT_STATE_DIR): Promise<string | undefined> {
  const resource = env.DRBD_RESOURCE;
  if (!resource) {
    process.stderr.write('hacloud drbd-split-brain: DRBD_RESOURCE is not set (run by DRBD as a handler)\n');
    return undefined;
  }
  const peer = env.DRBD_PEER || env.DRBD_PEERS?.split(/\s+/)[0] || 'peer';
  const at = new Date().toISOString();
  const record = {resource, peer, at, minor: env.DRBD_MINOR, volume: env.DRBD_VOLUME, lowerDisk: env.DRBD_LL_DISK};
  ensureDirectory(stateDir, 0o700);
  const path = markerPath(stateDir, resource, peer);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record)}\n`, {mode: 0o600});
  renameSync(`${path}.tmp`, path);
  await run('attrd_updater', ['--name', markerAttribute(resource), '--update', at], {deadline: Deadline.after(3000)}).catch(() => undefined);
  process.stderr.write(`hacloud: split brain on ${resource} against ${peer} recorded in ${path}\n`);
  return path;
}
