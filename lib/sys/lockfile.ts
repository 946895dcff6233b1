import {openSync, closeSync, writeSync, rmSync} from 'node:fs';
import {isOurProcess} from './daemon';
import {readPidfile} from './pidfile';
import {readProcStat} from './proc';

export interface Lock {
  release(): void;
}

// An exclusive lock: a file created with O_EXCL holding our pid and start
// time. A lock whose process is gone (killed with SIGKILL) is taken over.
// Throws with the holder's pid when a live process holds it.
export function acquireLock(path: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readPidfile(path);
      if (holder && isOurProcess(holder)) throw new LockBusyError(path, holder.pid);
      rmSync(path, {force: true});
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n${readProcStat(process.pid)?.startTime ?? ''}\n`);
    } finally {
      closeSync(fd);
    }
    return {release: () => rmSync(path, {force: true})};
  }
  throw new LockBusyError(path, undefined);
}

export class LockBusyError extends Error {
  constructor(
    readonly path: string,
    readonly holder: number | undefined,
  ) {
    super(`${path} is held by ${holder === undefined ? 'another process' : `process ${holder}`}`);
    this.name = 'LockBusyError';
  }
}
