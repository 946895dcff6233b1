import {constants, promises} from 'node:fs';
import {dirname} from 'node:path';
import {ensureDirectory} from './directories';

// Checks that storage answers, for deep monitors. Asynchronous (the thread
// pool does the I/O), so the action's deadline still fires on a device that
// stopped answering. fs.promises is read at call time: a depth-0 monitor
// that imports this module does not load it.

export interface BlockRead {
  bytes: number;
  // false when O_DIRECT was refused and the read may have come from the page cache.
  direct: boolean;
}

// Reads the first `size` bytes of a block device, bypassing the page cache
// (O_DIRECT, as dd iflag=direct). O_DIRECT needs a buffer aligned to the
// device's logical block size and Node cannot ask for an aligned buffer, so
// the read is tried at successive offsets of a larger one: a misaligned
// attempt fails at once with EINVAL without any I/O. Falls back to a plain
// read where O_DIRECT is not supported at all.
export async function readBlockDirect(path: string, size = 4096): Promise<BlockRead> {
  let handle;
  try {
    handle = await promises.open(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
    return {bytes: await plainRead(path, size), direct: false};
  }
  try {
    const area = Buffer.allocUnsafeSlow(size * 2);
    for (let offset = 0; offset < size; offset += 8) {
      try {
        const {bytesRead} = await handle.read(area, offset, size, 0);
        return {bytes: bytesRead, direct: true};
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      }
    }
  } finally {
    await handle.close();
  }
  return {bytes: await plainRead(path, size), direct: false};
}

async function plainRead(path: string, size: number): Promise<number> {
  const handle = await promises.open(path, 'r');
  try {
    return (await handle.read(Buffer.alloc(size), 0, size, 0)).bytesRead;
  } finally {
    await handle.close();
  }
}

// Writes `content` to `path` (creating its directory), syncs it to the
// device, reads it back, compares and removes it. Throws on any failure.
export async function writeReadBack(path: string, content: string): Promise<void> {
  ensureDirectory(dirname(path));
  const handle = await promises.open(path, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  const back = await promises.readFile(path, 'utf8');
  await promises.rm(path, {force: true});
  if (back !== content) throw new Error(`${path} read back ${back.length} bytes that differ from the ${content.length} written`);
}
