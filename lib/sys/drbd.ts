import type {Deadline} from '../ocf/deadline';
import {run, type RunResult} from './exec';

// drbd-utils' programs, run with argument arrays under the action's deadline.
// Output parsing lives in lib/drbd (pure); this module only executes.

export interface DrbdTools {
  drbdadm: string;
  drbdsetup: string;
  // drbdadm -c <file>
  config: string;
  deadline: Deadline;
  env: NodeJS.ProcessEnv;
}

export const drbdadm = (tools: DrbdTools, args: readonly string[], deadline = tools.deadline): Promise<RunResult> =>
  run(tools.drbdadm, ['-c', tools.config, ...args], {deadline, env: tools.env});

export const drbdsetup = (tools: DrbdTools, args: readonly string[], deadline = tools.deadline): Promise<RunResult> =>
  run(tools.drbdsetup, args, {deadline, env: tools.env});

// The current state of one resource, in the format both 8.4 and 9 speak.
export const readEvents2 = (tools: DrbdTools, resource: string): Promise<RunResult> =>
  drbdsetup(tools, ['events2', '--now', '--statistics', resource]);
