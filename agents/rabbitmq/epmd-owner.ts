import {epmdNames} from '../../lib/clients/epmd';
import type {Deadline, Logger} from '../../lib/ocf';
import {isOurProcess} from '../../lib/sys/daemon';
import {processesStartedByAgent} from './server-process';

// Ends the epmd a node of this agent started (Erlang's port mapper: the
// first node on a host starts it and it outlives every node; it inherited
// that node's private HOME under <HA_RSCTMP>/hacloud/, which marks it as
// ours, whichever of our instances started it) once this node is gone,
// unless another Erlang node (another broker, a running rabbitmqctl) is
// still registered with it. An epmd started otherwise is never touched.
export async function stopEpmdIfOurs(stateRoot: string, deadline: Deadline, log: Logger): Promise<void> {
  const epmd = processesStartedByAgent(stateRoot).filter((p) => p.comm === 'epmd');
  if (epmd.length === 0) return;
  const names = await epmdNames(deadline.slice({ms: 1000}));
  if (names && names.length > 0) {
    log.info(`leaving epmd (pid ${epmd.map((p) => p.pid).join(', ')}) running: ${names.map((n) => n.name).join(', ')} still registered`);
    return;
  }
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    for (const p of epmd) {
      try {
        if (isOurProcess(p)) process.kill(p.pid, signal);
      } catch {
        // already gone
      }
    }
    if (await deadline.slice({ms: 2000}).poll(() => !epmd.some((p) => isOurProcess(p)), 50)) break;
  }
  log.info(`stopped epmd (pid ${epmd.map((p) => p.pid).join(', ')}), which a node of this agent had started`);
}
