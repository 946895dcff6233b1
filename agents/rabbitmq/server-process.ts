import {readdirSync, readFileSync} from 'node:fs';
import {isOurProcess} from '../../lib/sys/daemon';
import {readPidfile} from '../../lib/sys/pidfile';
import {parseProcStat, readProcStat} from '../../lib/sys/proc';
import {listPids} from '../../lib/sys/proc-list';
import {descendants} from '../../lib/sys/process-tree';
import type {Ctx} from './parameters';
import {serverPaths, type ServerPaths} from './server-env';

export interface BeamProcess {
  pid: number;
  startTime: number | undefined;
  // Started by this agent (its record), or found through RabbitMQ's own pid file.
  startedByAgent: boolean;
}

export const BEAM = 'beam.smp';

export const pathsOf = (ctx: Ctx): ServerPaths => serverPaths(ctx.params, ctx.env.stateRoot, ctx.instance);

const isBeam = (pid: number): boolean => readProcStat(pid)?.comm === BEAM;

// The node's Erlang VM, when it runs: the agent's record first (pid and
// start time, so a reused pid is never taken for it), then the pid file
// RabbitMQ writes under data_dir (a node started by hand, or a lost /run).
export function findBeam(paths: ServerPaths): BeamProcess | undefined {
  const ours = readPidfile(paths.pidfile);
  if (ours && isOurProcess(ours) && isBeam(ours.pid)) return {pid: ours.pid, startTime: ours.startTime, startedByAgent: true};
  const theirs = readPidfile(paths.serverPidfile);
  if (theirs && isBeam(theirs.pid)) return {pid: theirs.pid, startTime: readProcStat(theirs.pid)?.startTime, startedByAgent: false};
  return undefined;
}

// Is the process found earlier still there (same pid, same start time)? A
// stopping VM counts until its last thread is gone: its main thread turns
// zombie first while the others still exit, holding ports and files.
export const isRunning = (beam: BeamProcess): boolean =>
  (beam.startTime === undefined ? isBeam(beam.pid) : isOurProcess({pid: beam.pid, startTime: beam.startTime})) || threadsExiting(beam.pid, beam.startTime);

function threadsExiting(pid: number, startTime: number | undefined): boolean {
  try {
    const leader = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (!leader || (startTime !== undefined && leader.startTime !== startTime)) return false;
    return readdirSync(`/proc/${pid}/task`).some((task) => {
      try {
        const state = parseProcStat(readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8'))?.state;
        return state !== undefined && state !== 'Z' && state !== 'X';
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

// The VM and everything below it (erl_child_setup and its port programs
// such as inet_gethost run in sessions of their own), in kill order.
export function processTree(beam: BeamProcess): {pid: number; startTime: number}[] {
  const below = descendants(beam.pid).map((p) => ({pid: p.pid, startTime: p.startTime}));
  return beam.startTime === undefined ? below : [{pid: beam.pid, startTime: beam.startTime}, ...below];
}

// SIGKILL to each process of a tree still the same process (start time).
export function killTree(tree: readonly {pid: number; startTime: number}[]): void {
  for (const p of tree) {
    if (!isOurProcess(p)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export const treeAlive = (tree: readonly {pid: number; startTime: number}[]): boolean =>
  tree.some((p) => isOurProcess(p) || threadsExiting(p.pid, p.startTime));

export interface InstanceProcess {
  pid: number;
  startTime: number;
  comm: string;
}

// Every process that inherited this instance's private HOME: the VM, its
// port programs (inet_gethost lingers after a kill -9 of the VM, re-parented
// to init) and the epmd the VM started. Read from /proc/<pid>/environ (root).
export const processesOfInstance = (home: string): InstanceProcess[] => processesWithHome((h) => h === home);

// Processes whose HOME is the private home of any instance of this agent
// (<HA_RSCTMP>/hacloud/<instance>.home).
export const processesStartedByAgent = (stateRoot: string): InstanceProcess[] =>
  processesWithHome((h) => h.startsWith(`${stateRoot}/hacloud/`) && h.endsWith('.home'));

function processesWithHome(match: (home: string) => boolean): InstanceProcess[] {
  const found: InstanceProcess[] = [];
  for (const pid of listPids()) {
    let environ: string;
    try {
      environ = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`;
    } catch {
      continue;
    }
    const home = /\0HOME=([^\0]*)\0/.exec(environ)?.[1];
    if (home === undefined || !match(home)) continue;
    const stat = readProcStat(pid);
    if (stat) found.push({pid, startTime: stat.startTime, comm: stat.comm});
  }
  return found;
}
