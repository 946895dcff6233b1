import {pingServer} from '../../lib/clients/mysql-ping';
import {GenericError, OCF} from '../../lib/ocf';
import {readPidfile, removePidfile} from '../../lib/sys/pidfile';
import {isAlive} from '../../lib/sys/proc';
import {optionalCredentials} from './credentials';
import type {Ctx} from './parameters';
import {removeStaleSocket} from './prepare';
import {requireRoot} from './start';
import {agentPidfile, findServer, isRunning, processState, signalServer, type ServerProcess} from './server-process';

// How the stop deadline is shared: SHUTDOWN gets at most a fifth (10 s at
// most) to be accepted; the clean shutdown (InnoDB flushing its buffer pool)
// up to 70 % of what is left; SIGKILL the rest.
const SHUTDOWN_FRACTION = 0.2;
const SHUTDOWN_MAX_MS = 10_000;
const CLEAN_FRACTION = 0.7;

// Stop: 0 when nothing runs. Otherwise SHUTDOWN through the protocol with
// the credentials (SIGTERM without them, or when SHUTDOWN is refused), wait
// for the server to exit, then SIGKILL its process group; a server that
// survives SIGKILL fails the stop (1), so Pacemaker fences the node rather
// than start a second server on the same data (resource-agents #1823).
// Removes the socket and pid files a dead server left behind.
export async function stop(ctx: Ctx) {
  requireRoot(ctx);
  const server = findServer(ctx);
  if (!server) {
    await clearLeftovers(ctx);
    return OCF.SUCCESS;
  }
  await requestShutdown(ctx, server);
  const gone = () => !isRunning(server);
  if (!(await ctx.deadline.slice({fraction: CLEAN_FRACTION}).poll(gone, 100))) {
    ctx.log.warn(`server (pid ${server.pid}, ${processState(server.pid)}) did not exit after its shutdown request: SIGKILL`);
    signalServer(server.pid, 'SIGKILL');
    if (!(await ctx.deadline.poll(gone, 50))) {
      throw new GenericError(`server process ${server.pid} survived SIGKILL (${processState(server.pid)})`);
    }
    ctx.log.warn(`server (pid ${server.pid}) killed; InnoDB recovers at the next start`);
  } else {
    ctx.log.info(`server (pid ${server.pid}) shut down`);
  }
  await clearLeftovers(ctx);
  return OCF.SUCCESS;
}

async function requestShutdown(ctx: Ctx, server: ServerProcess): Promise<void> {
  const credentials = optionalCredentials(ctx, 'stop');
  if (credentials) {
    try {
      const {shutdownServer} = await import('../../lib/clients/mysql-session');
      await shutdownServer({
        socketPath: ctx.params.socket,
        user: credentials.user,
        password: credentials.password,
        deadline: ctx.deadline.slice({fraction: SHUTDOWN_FRACTION, ms: SHUTDOWN_MAX_MS}),
      });
      ctx.log.info(`SHUTDOWN sent to the server (pid ${server.pid}) as ${credentials.user}`);
      return;
    } catch (error) {
      ctx.log.warn(`SHUTDOWN through ${ctx.params.socket} failed (${(error as Error).message}): SIGTERM instead`);
    }
  }
  signalServer(server.pid, 'SIGTERM');
}

// Once no server runs: its pid file, the agent's record, and a socket that
// refuses connections. (A clean shutdown removes the first and last itself;
// a kill does not.) A socket something still answers on is not touched.
async function clearLeftovers(ctx: Ctx): Promise<void> {
  const stale = readPidfile(ctx.params.pid);
  if (stale && !isAlive(stale.pid)) removePidfile(ctx.params.pid);
  removePidfile(agentPidfile(ctx));
  // Until the kernel has closed the dead server's listening socket, a
  // connection still queues there without an answer: ask again, briefly.
  await ctx.deadline.slice({ms: 3000}).poll(async () => {
    const ping = await pingServer(ctx.params.socket, ctx.deadline.slice({ms: 500}));
    if (ping.kind === 'unreachable' && ping.errno === 'ECONNREFUSED') removeStaleSocket(ctx.params.socket);
    else if (ping.kind === 'ready') ctx.log.warn(`a server this resource did not start still answers on ${ctx.params.socket}`);
    return ping.kind === 'unreachable' || ping.kind === 'ready' || ping.kind === 'refused';
  }, 100);
}
