import {httpRequest} from '../../lib/clients/http-request';
import type {Deadline} from '../../lib/ocf/deadline';
import {tcpConnect} from '../../lib/sys/tcp-connect';
import {brokerEndpoints, describeEndpoints, treeConnectedTo} from './amqp';
import {judgeHealth, type HealthVerdict} from './health';
import {probeAddress, type Ctx} from './parameters';
import type {Preset} from './preset';
import type {DaemonState} from './processes';

// The outcome of one check: passed, passed while draining, or failed with why.
export type Check = {ok: true; draining?: boolean} | {ok: false; reason: string};

const PASS: Check = {ok: true};

// Per request: at most this long, whatever the action's deadline.
const REQUEST_MS = 10_000;

// Depth 0 of an API: something accepts connections on its port.
export async function checkListener(ctx: Ctx, deadline: Deadline): Promise<Check> {
  if (!ctx.params.port) return PASS;
  const result = await tcpConnect(probeAddress(ctx.params.bind_address), ctx.params.port, deadline.slice({ms: REQUEST_MS}));
  return result.kind === 'connected' ? PASS : {ok: false, reason: `nothing accepts connections: ${result.reason}`};
}

// Depth 0 of an RPC daemon: its tree holds an ESTABLISHED connection to the broker.
export async function checkBroker(ctx: Ctx, states: readonly DaemonState[]): Promise<Check> {
  const rpc = states.filter((s) => s.daemon.rpc && s.process);
  if (rpc.length === 0) return PASS;
  const endpoints = await brokerEndpoints(ctx.params);
  if (endpoints.length === 0) return {ok: false, reason: `cannot resolve the AMQP broker ${ctx.params.amqp_host || '(transport_url)'}`};
  for (const state of rpc) {
    const pid = state.process?.pid as number;
    if (!treeConnectedTo(pid, endpoints)) {
      return {ok: false, reason: `${state.daemon.id} (pid ${pid}) has no ESTABLISHED connection to the AMQP broker ${describeEndpoints(endpoints)}`};
    }
  }
  return PASS;
}

// Depth 10: the preset's unauthenticated HTTP check (status and JSON).
export async function checkHealth(ctx: Ctx, preset: Preset, deadline: Deadline): Promise<Check> {
  if (!preset.health || !ctx.params.port || !ctx.params.health_path) return PASS;
  const path = ctx.params.health_path;
  const answer = await httpRequest({host: probeAddress(ctx.params.bind_address), port: ctx.params.port, path, deadline: deadline.slice({ms: REQUEST_MS})});
  if (answer.kind === 'failed') return {ok: false, reason: `GET ${path}: ${answer.reason}`};
  const verdict: HealthVerdict = judgeHealth(preset.health, path, answer);
  switch (verdict.kind) {
    case 'healthy':
      return PASS;
    case 'draining':
      return {ok: true, draining: true};
    case 'unhealthy':
      return {ok: false, reason: verdict.reason};
  }
}
