import {join} from 'node:path';
import {ensureDirectory} from '../sys/directories';

// Instance names become directory names: keep them to a safe alphabet.
export const safeInstanceName = (instance: string): string => instance.replace(/[^A-Za-z0-9_.:@+-]/g, '_') || '_';

// <HA_RSCTMP>/hacloud/<instance>: pidfiles and locks of one resource instance.
// /run is a tmpfs, so nothing survives a reboot, as resource state must not.
export function ensureStateDir(stateRoot: string, instance: string): string {
  const dir = join(stateRoot, 'hacloud', safeInstanceName(instance));
  ensureDirectory(dir, 0o700);
  return dir;
}
