import {hostname} from 'node:os';
import {ALIVE_REFUSALS, describePing, pingServer, type PingResult} from '../../lib/clients/mysql-ping';
import {OCF, type OcfCode} from '../../lib/ocf';
import type {Credentials} from '../../lib/clients/mysql-credentials';
import type {Session} from '../../lib/clients/mysql-session';
import {integerLiteral, quoteIdentifier, textLiteral} from '../../lib/clients/mysql-sql';
import {requireCredentials, optionalCredentials} from './credentials';
import type {Ctx} from './parameters';
import {parseTableName, quoteTable} from './server-args';
import {findServer, processState, type ServerProcess} from './server-process';

export interface Verdict {
  code: OcfCode;
  reason?: string;
  // Running, but worth a line in the log.
  warning?: string;
}

// Depth 0: what a ping of a live server process means. The greeting is the
// proof of life; an ERR packet that only says "not you, not now" (too many
// connections, host blocked) is a live server too (see ALIVE_REFUSALS); any
// other refusal, silence or a dead socket is a failing server (1).
export function pingVerdict(ping: PingResult, server: {pid: number; state: string}, socket: string): Verdict {
  switch (ping.kind) {
    case 'ready':
      return ping.login === 'refused' || ping.login === 'unsupported'
        ? {code: OCF.SUCCESS, warning: `${describePing(ping)}, but the log-in with the credentials failed (${ping.loginDetail ?? ping.login})`}
        : {code: OCF.SUCCESS};
    case 'refused':
      return ALIVE_REFUSALS.has(ping.error.code)
        ? {code: OCF.SUCCESS, warning: `server alive but ${describePing(ping)}`}
        : {code: OCF.ERR_GENERIC, reason: `server (pid ${server.pid}) is failing: ${describePing(ping)}`};
    default:
      return {code: OCF.ERR_GENERIC, reason: `server process ${server.pid} (${server.state}) does not answer on ${socket}: ${describePing(ping)}`};
  }
}

// Depth 0 of a server known to run: the protocol ping over the socket.
export async function pingRunning(ctx: Ctx, server: ServerProcess, fraction = 1): Promise<Verdict> {
  const credentials = optionalCredentials(ctx, 'ping');
  const ping = await pingServer(ctx.params.socket, ctx.deadline.slice({fraction}), credentials);
  return pingVerdict(ping, {pid: server.pid, state: processState(server.pid)}, ctx.params.socket);
}

// Monitor: 7 when no server process of this resource runs (a stale pid file
// from a crash included), 0 when it answers, 1 when its process lives but
// does not answer; depth 10 adds a read of test_table, depth 20 a write to
// heartbeat_table, with the credentials. Probes check depth 0 only.
export async function monitor(ctx: Ctx) {
  const depth = ctx.isProbe ? 0 : ctx.checkLevel;
  // The parameter is part of the configuration (6 whatever the state); the
  // file is read only once a server runs (its problems are 2 or 4).
  if (depth >= 10 && ctx.params.credentials === undefined) requireCredentials(ctx, `monitor depth ${depth}`);
  const server = findServer(ctx);
  if (!server) return OCF.NOT_RUNNING;
  if (depth < 10) return report(ctx, await pingRunning(ctx, server));
  return queryRunning(ctx, server, depth, requireCredentials(ctx, `monitor depth ${depth}`));
}

function report(ctx: Ctx, verdict: Verdict): Verdict {
  if (verdict.warning) ctx.log.warn(verdict.warning);
  return verdict;
}

// Depths 10 and 20: the ping's connection, logged in, runs the statements.
// A session that opens proves what the ping would; when it cannot open, how
// the connection went tells a dead, hung or overloaded server from refused credentials.
async function queryRunning(ctx: Ctx, server: ServerProcess, depth: number, credentials: Credentials): Promise<Verdict> {
  const {withSession} = await import('../../lib/clients/mysql-session');
  const session = {
    socketPath: ctx.params.socket,
    user: credentials.user,
    password: credentials.password,
    deadline: ctx.deadline.slice({fraction: 0.7}),
  };
  const test = quoteTable(parseTableName(ctx.params.test_table) as [string, string]);
  const heartbeat = parseTableName(ctx.params.heartbeat_table) as [string, string];
  let step = `depth 10: SELECT from ${ctx.params.test_table}`;
  try {
    await withSession(session, async (s) => {
      await s.query(`SELECT 1 FROM ${test} LIMIT 1`);
      if (depth < 20) return;
      step = `depth 20: write to ${ctx.params.heartbeat_table}`;
      await writeHeartbeat(s, heartbeat, nodeName(ctx));
    });
    return {code: OCF.SUCCESS};
  } catch (error) {
    const {errno, ping} = error as {errno?: number; ping?: PingResult};
    if (errno !== undefined && ALIVE_REFUSALS.has(errno)) {
      return report(ctx, {code: OCF.SUCCESS, warning: `server alive but ${step} as ${credentials.user} refused: ${(error as Error).message}`});
    }
    if (ping) {
      const verdict = pingVerdict(ping, {pid: server.pid, state: processState(server.pid)}, ctx.params.socket);
      if (verdict.code !== OCF.SUCCESS) return verdict;
    }
    return {code: OCF.ERR_GENERIC, reason: `${step} as ${credentials.user} failed: ${(error as Error).message}`};
  }
}

const NO_SUCH_TABLE = 1146;
const NO_SUCH_DATABASE = 1049;

// REPLACE one row per node; on a missing table or database create both
// (InnoDB, so the write goes through the redo log like real data) and retry.
// Identifiers were checked by parseTableName; values are literals (mysql-sql.ts).
async function writeHeartbeat(s: Session, table: [string, string], node: string) {
  const replace = () =>
    s.query(`REPLACE INTO ${quoteTable(table)} (node, updated, agent_pid) VALUES (${textLiteral(node)}, NOW(6), ${integerLiteral(process.pid)})`);
  try {
    await replace();
  } catch (error) {
    const errno = (error as {errno?: number}).errno;
    if (errno !== NO_SUCH_TABLE && errno !== NO_SUCH_DATABASE) throw error;
    await s.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(table[0])}`);
    await s.query(
      `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (node VARCHAR(255) NOT NULL PRIMARY KEY, updated DATETIME(6) NOT NULL, agent_pid INT UNSIGNED) ENGINE=InnoDB`,
    );
    await replace();
  }
}

const nodeName = (ctx: Ctx): string => ctx.env.meta('on_node') || hostname();
