// The simulator's single program: dispatches on the name it was invoked
// as (drbdadm, drbdsetup, fake-drbd; `drbd-sim <program> ...` also works),
// writes the command's output synchronously and exits with its code.
import {writeSync} from 'node:fs';
import {basename} from 'node:path';
import {drbdadm} from './cli/drbdadm';
import {drbdsetup} from './cli/drbdsetup';
import {fakeDrbd} from './cli/fake';
import {UsageError, type Output} from './errors';
import {readEnv} from './store';

const PROGRAMS: Record<string, (env: ReturnType<typeof readEnv>, args: readonly string[]) => Output> = {
  drbdadm, drbdsetup, 'fake-drbd': fakeDrbd,
};

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  let done = 0;
  while (done < data.length) {
    try {
      done += writeSync(fd, data, done, data.length - done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw error;
    }
  }
}

// Runs the program named by argv and returns its exit code.
export function main(argv: readonly string[]): number {
  let name = basename(argv[1] ?? '').replace(/\.(c?js|ts)$/, '');
  let args = argv.slice(2);
  if (!PROGRAMS[name]) {
    name = args[0] ?? '';
    args = args.slice(1);
  }
  const program = PROGRAMS[name];
  if (!program) {
    writeAll(2, 'usage: drbd-sim drbdadm|drbdsetup|fake-drbd ARGS... (or invoke through a link of that name)\n');
    return 1;
  }
  let out: Output;
  try {
    out = program(readEnv(), args);
  } catch (error) {
    if (error instanceof UsageError) {
      writeAll(2, `${error.message}\n`);
      return error.exitCode;
    }
    writeAll(2, `${name}: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return 20;
  }
  writeAll(1, out.stdout);
  writeAll(2, out.stderr);
  return out.code;
}

process.exitCode = main(process.argv);
