import {closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync} from 'node:fs';
import {createHash} from 'node:crypto';
import type {Deadline} from '../ocf/deadline';
import {GenericError} from '../ocf/errors';

const CHUNK = 1 << 20;

export interface CopyResult {
  bytes: number;
  sha256: string;
}

// Copies a block device (or file) to `target` under a temporary name,
// fsyncs and renames it only when complete, so a half-written copy is never
// mistaken for a good one. Gives up (removing the partial copy) when the
// deadline passes.
export async function copyDeviceToFile(source: string, target: string, deadline: Deadline): Promise<CopyResult> {
  const temporary = `${target}.partial`;
  const input = openSync(source, 'r');
  let output: number | undefined;
  try {
    output = openSync(temporary, 'wx', 0o600);
    const buffer = Buffer.allocUnsafe(CHUNK);
    const hash = createHash('sha256');
    let bytes = 0;
    for (;;) {
      if (deadline.expired()) throw new GenericError(`copy of ${source} did not finish in time (${bytes} bytes copied)`);
      const read = readSync(input, buffer, 0, CHUNK, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      for (let offset = 0; offset < read; ) offset += writeSync(output, chunk, offset);
      hash.update(chunk);
      bytes += read;
      // Let timers run between chunks of a long copy.
      if (bytes % (64 * CHUNK) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    fsyncSync(output);
    closeSync(output);
    output = undefined;
    renameSync(temporary, target);
    return {bytes, sha256: hash.digest('hex')};
  } catch (error) {
    if (output !== undefined) closeSync(output);
    rmSync(temporary, {force: true});
    throw error;
  } finally {
    closeSync(input);
  }
}
