import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {safeInstanceName} from '../../lib/ocf/state-dir';
import {isOurProcess} from '../../lib/sys/daemon';
import {readPidfile} from '../../lib/sys/pidfile';
import {parseProcStat, readCmdline, readProcStat} from '../../lib/sys/proc';
import type {Ctx} from './parameters';
import {serverNames} from './server-args';

export interface ServerProcess {
  pid: number;
  // Its start time (/proc), so a later check never mistakes a reused pid for it.
  startTime: number | undefined;
  // Started by this agent (recorded with its start time in the state
  // directory, from the moment of the spawn), or known from the server's own
  // pid file only (written after InnoDB recovery; a server started by hand).
  startedByAgent: boolean;
}

// The agent's record of the server it spawned: pid and start time.
// Read without creating the state directory (a probe must not need /run writable).
export const agentPidfile = (ctx: Ctx): string =>
  join(ctx.env.stateRoot, 'hacloud', safeInstanceName(ctx.instance), 'mariadbd.pid');

// Is `pid` a live server process (by /proc comm or argv[0])?
export function isServerPid(pid: number, names: readonly string[]): boolean {
  const stat = readProcStat(pid);
  if (!stat) return false;
  if (names.some((n) => stat.comm === n.slice(0, 15))) return true;
  const argv0 = readCmdline(pid)[0] ?? '';
  return names.some((n) => argv0 === n || argv0.endsWith(`/${n}`));
}

// The server of this resource, when one runs: the agent's record first (it
// exists during a long crash recovery, before the server writes its pid
// file), then the server's pid file. A pid that is gone or is another
// program is not ours (pid reuse after a crash).
export function findServer(ctx: Ctx): ServerProcess | undefined {
  const ours = readPidfile(agentPidfile(ctx));
  const names = serverNames(ctx.params.binary);
  if (ours && isOurProcess(ours) && isServerPid(ours.pid, names) && runsOn(ours.pid, ctx.params.datadir, ctx.params.pid)) return {pid: ours.pid, startTime: ours.startTime, startedByAgent: true};
  const theirs = readPidfile(ctx.params.pid);
  if (theirs && isServerPid(theirs.pid, names) && runsOn(theirs.pid, ctx.params.datadir, ctx.params.pid)) {
    return {pid: theirs.pid, startTime: readProcStat(theirs.pid)?.startTime, startedByAgent: false};
  }
  return undefined;
}

// A server is this resource's only when its command line names no other
// data directory or pid file (a reused pid, or a record left from before a
// change of parameters, must not be taken for it).
function runsOn(pid: number, datadir: string, pidfile: string): boolean {
  const args = readCmdline(pid);
  const value = (option: string) => args.filter((a) => a.startsWith(`--${option}=`)).at(-1)?.slice(option.length + 3);
  const [d, p] = [value('datadir'), value('pid-file')];
  return (d === undefined || d.replace(/\/+$/, '') === datadir.replace(/\/+$/, '')) && (p === undefined || p === pidfile);
}

// Is the process found earlier still there (same pid and start time)? A
// killed server counts until its last thread is gone: the main thread turns
// zombie first while the others still exit, holding the socket and InnoDB's
// file locks.
export function isRunning(server: ServerProcess): boolean {
  const alive =
    server.startTime === undefined ? readProcStat(server.pid) !== undefined : isOurProcess({pid: server.pid, startTime: server.startTime});
  return alive || threadsExiting(server);
}

function threadsExiting(server: ServerProcess): boolean {
  let leader;
  try {
    leader = parseProcStat(readFileSync(`/proc/${server.pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
  if (!leader || (server.startTime !== undefined && leader.startTime !== server.startTime)) return false;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${server.pid}/task`);
  } catch {
    return false;
  }
  return tasks.some((task) => {
    try {
      const state = parseProcStat(readFileSync(`/proc/${server.pid}/task/${task}/stat`, 'utf8'))?.state;
      return state !== undefined && state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  });
}

// Signals the server; KILL goes to its whole process group when it leads one
// (the agent starts it with setsid), so nothing it forked survives.
export function signalServer(pid: number, signal: NodeJS.Signals): void {
  const stat = readProcStat(pid);
  const target = signal === 'SIGKILL' && stat?.pgrp === pid ? -pid : pid;
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}

// "R running", "T stopped" ...: for messages about a server that does not answer.
export function processState(pid: number): string {
  const state = readProcStat(pid)?.state;
  const names: Record<string, string> = {R: 'running', S: 'sleeping', D: 'in uninterruptible I/O', T: 'stopped (SIGSTOP)', t: 'stopped by a tracer'};
  return state === undefined ? 'gone' : (names[state] ?? state);
}
