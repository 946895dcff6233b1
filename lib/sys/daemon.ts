import {closeSync, openSync} from 'node:fs';
import type {Deadline} from '../ocf/deadline';
import {GenericError} from '../ocf/errors';
import {readPidfile, removePidfile, writePidfile, type PidRecord} from './pidfile';
import {readCmdline, readProcStat} from './proc';

export interface DaemonSpec {
  file: string;
  args: readonly string[];
  pidfile: string;
  // stdout and stderr go here (appended); /dev/null when unset.
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
}

// Starts a program in its own session (setsid), stdin from /dev/null and
// output to a file, so it neither dies with the agent's process group when
// Pacemaker SIGKILLs it on timeout nor holds the agent's pipes open
// (ocf-tester would hang). Records pid and start time in the pidfile.
export async function startDaemon(spec: DaemonSpec): Promise<PidRecord> {
  // Loaded here: child_process is costly to load and monitors never need it.
  // require, not import(): a Node single executable cannot import() builtins.
  const {spawn} = require('node:child_process') as typeof import('node:child_process');
  const out = openSync(spec.logFile ?? '/dev/null', 'a', 0o640);
  try {
    const child = spawn(spec.file, spec.args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: {...(spec.env ?? process.env), LC_ALL: 'C'},
      cwd: spec.cwd ?? '/',
      uid: spec.uid,
      gid: spec.gid,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    const record: PidRecord = {pid, startTime: readProcStat(pid)?.startTime};
    writePidfile(spec.pidfile, record);
    return record;
  } finally {
    closeSync(out);
  }
}

// Is the recorded process still the one we started? Same start time when the
// pidfile has it, else the same program name in its argv[0].
export function isOurProcess(record: PidRecord, program?: string): boolean {
  const stat = readProcStat(record.pid);
  if (!stat) return false;
  if (record.startTime !== undefined) return stat.startTime === record.startTime;
  if (program === undefined) return true;
  const argv0 = readCmdline(record.pid)[0] ?? '';
  return argv0 === program || argv0.endsWith(`/${program}`) || stat.comm === program.slice(0, 15);
}

// A daemon's environment: this one without Pacemaker's OCF_/HA_/PCMK_
// variables, with a PATH.
export function daemonEnvironment(inherited: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(inherited)) {
    if (!key.startsWith('OCF_') && !key.startsWith('HA_') && !key.startsWith('PCMK_')) env[key] = value;
  }
  env.PATH ??= '/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}

export type StopOutcome = 'not-running' | 'terminated' | 'killed';

// Stops the daemon of a pidfile: SIGTERM to its process group, wait up to
// `termFraction` of the time left, then SIGKILL and wait for the rest.
// Throws when it survives SIGKILL inside the deadline. Never signals a pid
// that is not ours.
export async function stopDaemon(
  pidfile: string,
  deadline: Deadline,
  {program, termFraction = 0.5}: {program?: string; termFraction?: number} = {},
): Promise<StopOutcome> {
  const record = readPidfile(pidfile);
  if (!record || !isOurProcess(record, program)) {
    removePidfile(pidfile);
    return 'not-running';
  }
  const gone = () => !isOurProcess(record, program);
  signalGroup(record.pid, 'SIGTERM');
  if (await deadline.slice({fraction: termFraction}).poll(gone, 50)) {
    removePidfile(pidfile);
    return 'terminated';
  }
  signalGroup(record.pid, 'SIGKILL');
  if (await deadline.poll(gone, 50)) {
    removePidfile(pidfile);
    return 'killed';
  }
  throw new GenericError(`process ${record.pid} from ${pidfile} survived SIGKILL`);
}

// Signals the process group the daemon leads (it called setsid), so helpers it
// forked go too; falls back to the pid alone when it is not a group leader.
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  const stat = readProcStat(pid);
  try {
    process.kill(stat?.pgrp === pid ? -pid : pid, signal);
  } catch {
    // already gone
  }
}
