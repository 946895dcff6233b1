import {mkdirSync, statSync} from 'node:fs';
import {dirname} from 'node:path';

// mkdir -p, one level at a time. Node's own recursive mkdirSync loops
// forever on filesystems that answer ENOENT to every create (seen on /proc
// with Node 20), which would hang an action until Pacemaker kills it.
// Missing parents get 0755, the directory itself `mode`.
export function ensureDirectory(path: string, mode = 0o755): void {
  try {
    if (statSync(path).isDirectory()) return;
  } catch {
    // does not exist yet
  }
  const parent = dirname(path);
  if (parent !== path) ensureDirectory(parent, 0o755);
  try {
    mkdirSync(path, {mode});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
