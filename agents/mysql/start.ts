import {requireRoot} from '../../lib/ocf/privileges';
import {pingServer, describePing} from '../../lib/clients/mysql-ping';
import {GenericError, OCF} from '../../lib/ocf';
import {daemonEnvironment, startDaemon} from '../../lib/sys/daemon';
import {readPidfile, removePidfile} from '../../lib/sys/pidfile';
import {isAlive} from '../../lib/sys/proc';
import {logSize, readLogSince} from '../../lib/sys/log-tail';
import {summariseErrors} from './error-log';
import {pingRunning} from './monitor';
import type {Ctx} from './parameters';
import {lookupOwner, prepareDatadir, prepareRuntimePaths, removeStaleSocket, requireConfig, requireServerBinary} from './prepare';
import {serverArgs, serverPaths} from './server-args';
import {agentPidfile, findServer, isRunning, signalServer, type ServerProcess} from './server-process';

// Part of the start deadline kept to kill a server that did not come up.
const KILL_RESERVE_MS = 3000;


// Start: 0 at once when the server runs and answers; otherwise check the
// data directory, create missing runtime paths, run the server directly in
// its own session and return when it answers the protocol handshake on the
// socket. A server that exits or does not answer in time fails the start (1)
// with its last error-log lines, and is not left running.
export async function start(ctx: Ctx) {
  requireRoot(ctx);
  const running = findServer(ctx);
  if (running) {
    const verdict = await pingRunning(ctx, running, 0.2);
    if (verdict.code === OCF.SUCCESS) {
      ctx.log.info(`server already running (pid ${running.pid}); nothing to do`);
      return OCF.SUCCESS;
    }
    // It may still be starting (crash recovery after an earlier attempt).
    ctx.log.info(`server pid ${running.pid} runs but does not answer yet; waiting for it`);
    return waitUntilReady(ctx, running, logSize(ctx.params.log));
  }
  const binary = requireServerBinary(ctx);
  requireConfig(ctx);
  const owner = await lookupOwner(ctx);
  await prepareDatadir(ctx, owner);
  prepareRuntimePaths(ctx, owner);
  await clearLeftovers(ctx);

  const offset = logSize(ctx.params.log);
  const args = serverArgs(serverPaths(ctx.params));
  const record = await startDaemon({
    file: binary,
    args,
    pidfile: `${ctx.stateDir()}/mariadbd.pid`,
    logFile: ctx.params.log,
    env: daemonEnvironment(),
  });
  ctx.log.info(`started ${binary} ${args.join(' ')} (pid ${record.pid})`);
  return waitUntilReady(ctx, {pid: record.pid, startTime: record.startTime, startedByAgent: true}, offset);
}

// A socket or pid file left by a crashed server. A socket something answers
// on belongs to a server this resource did not start: refuse to start a second one.
async function clearLeftovers(ctx: Ctx): Promise<void> {
  const {socket, pid} = ctx.params;
  const ping = await pingServer(socket, ctx.deadline.slice({ms: 2000}));
  if (ping.kind === 'ready' || ping.kind === 'refused') {
    throw new GenericError(`a server this resource did not start answers on ${socket} (${describePing(ping)}); stop it first`);
  }
  if (ping.kind === 'unreachable' && ping.errno === 'ECONNREFUSED') removeStaleSocket(socket);
  const stale = readPidfile(pid);
  if (stale && !isAlive(stale.pid)) removePidfile(pid);
}

async function waitUntilReady(ctx: Ctx, server: ServerProcess, logOffset: number) {
  const window = ctx.deadline.slice({ms: Math.max(0, ctx.deadline.remainingMs() - KILL_RESERVE_MS)});
  let last = 'no answer yet';
  const ready = await window.poll(async () => {
    if (!isRunning(server)) return true;
    const ping = await pingServer(ctx.params.socket, window.slice({ms: 2000}));
    if (ping.kind === 'ready') return true;
    last = describePing(ping);
    return false;
  }, 200);
  if (ready && isRunning(server)) {
    ctx.log.info(`server (pid ${server.pid}) accepts connections on ${ctx.params.socket}`);
    return OCF.SUCCESS;
  }
  const errors = () => summariseErrors(readLogSince(ctx.params.log, logOffset)) || `nothing in ${ctx.params.log}`;
  if (!isRunning(server)) {
    removePidfile(agentPidfile(ctx));
    return {code: OCF.ERR_GENERIC, reason: `server exited during start: ${errors()}`};
  }
  // Up but not answering: do not leave it behind (Pacemaker would find a
  // process it believes stopped).
  signalServer(server.pid, 'SIGKILL');
  await ctx.deadline.poll(() => !isRunning(server), 50);
  removePidfile(agentPidfile(ctx));
  return {
    code: OCF.ERR_GENERIC,
    reason: `server (pid ${server.pid}) did not accept connections on ${ctx.params.socket} in time (${last}); killed it. Log: ${errors()}`,
  };
}

export {requireRoot};
