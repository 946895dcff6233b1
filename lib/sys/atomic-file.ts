import {closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {dirname} from 'node:path';

// Flushes a directory's entries (a rename or create in it) to disk.
export function fsyncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // best effort: some filesystems refuse fsync on a directory
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// Writes a file under a temporary name in the same directory, flushes it and
// renames it over `path`, so a reader (or a crash) never sees half of it.
export function writeFileAtomic(path: string, data: string, {mode = 0o644, sync = true}: {mode?: number; sync?: boolean} = {}): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, 'w', mode);
    try {
      writeFileSync(fd, data);
      if (sync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, {force: true});
    throw error;
  }
  if (sync) fsyncDirectory(dirname(path));
}
