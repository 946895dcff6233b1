import {roundCheckLevel} from './check-level';
import type {ActionContext, ActionResult, AnyAgentDeclaration} from './declaration';
import {Deadline, monotonicMs} from './deadline';
import {readOcfEnvironment} from './environment';
import {GenericError, OcfError} from './errors';
import {OCF, isOcfCode, ocfCodeName, type OcfCode} from './exit-codes';
import {createLogger, type Logger} from './log';
import {listActions} from './actions';
import {parseParameters, type ParameterTable} from './parameters';
import {writeSync} from 'node:fs';
import {ensureStateDir} from './state-dir';
import {renderUsage} from './usage';

export interface DispatchIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

// Plain writes to fds 1 and 2: creating process.stdout/stderr streams would
// load net and stream modules on every action (pipes under Pacemaker).
const processIo: DispatchIo = {
  stdout: (t) => writeAll(1, t),
  stderr: (t) => writeAll(2, t),
};

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  for (let offset = 0; offset < buffer.length; ) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      // A full pipe (EAGAIN on a non-blocking fd): try again; anything else: give up.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

// validate-all checks the local environment unless OCF_CHECK_LEVEL=0 asks for syntax only.
const VALIDATE_DEFAULT_LEVEL = 10;

// Runs one OCF action of an agent and returns its exit code. The only place
// that turns results and exceptions into codes and the exit reason line.
export async function dispatch(
  decl: AnyAgentDeclaration,
  argv: readonly string[],
  rawEnv: NodeJS.ProcessEnv,
  io: DispatchIo = processIo,
): Promise<number> {
  const action = argv[0];
  switch (action) {
    case 'meta-data': {
      // Loaded only here: the XML builder is the largest thing an action could load.
      const {renderMetadata} = await import('./metadata');
      io.stdout(renderMetadata(decl));
      return OCF.SUCCESS;
    }
    case 'usage':
    case 'help':
    case '-h':
    case '--help':
      io.stdout(renderUsage(decl));
      return OCF.SUCCESS;
    case 'methods':
      io.stdout(`${[...new Set(listActions(decl).map(([name]) => name))].join('\n')}\n`);
      return OCF.SUCCESS;
  }

  const env = readOcfEnvironment(rawEnv, decl.name);
  const log = createLogger({
    tag: `${decl.name}(${env.instance})`,
    debug: env.debug,
    logFile: env.logFile,
    debugLogFile: env.debugLogFile,
    write: io.stderr,
  });
  const exitReason = (reason: string) => {
    const line = log.scrub(reason).replace(/\s*\n\s*/g, '; ');
    log.error(line);
    io.stderr(`${env.exitReasonPrefix}${line}\n`);
  };

  const rows = listActions(decl).filter(([name]) => name === action);
  if (action === undefined || rows.length === 0) {
    io.stderr(renderUsage(decl));
    exitReason(action === undefined ? 'no action given' : `action ${JSON.stringify(action)} is not supported by ${decl.name}`);
    return OCF.ERR_UNIMPLEMENTED;
  }

  const parsed = parseParameters(decl.parameters, rawEnv);
  log.redact(...parsed.secrets);
  const isProbe = action === 'monitor' && env.intervalMs === 0;
  const depths = rows.map(([, m]) => m.depth ?? 0);
  const requested = env.requestedCheckLevel ?? (action === 'validate-all' ? VALIDATE_DEFAULT_LEVEL : 0);
  const checkLevel = roundCheckLevel(requested, action === 'validate-all' ? [0, 10] : depths);
  const declaredTimeout = Math.max(...rows.map(([, m]) => m.timeout)) * 1000;
  const deadline = Deadline.forAction(env.timeoutMs ?? declaredTimeout);
  let stateDir: string | undefined;
  const ctx: ActionContext<ParameterTable> = {
    agent: decl.name,
    action,
    instance: env.instance,
    params: parsed.values,
    env,
    deadline,
    log,
    isProbe,
    checkLevel,
    stateDir: () => (stateDir ??= ensureStateDir(env.stateRoot, env.instance)),
  };
  log.debug(`${action} (interval ${env.intervalMs} ms, check level ${checkLevel}, ${deadline.remainingMs()} ms budget)`);

  const problems = parsed.problems.map((p) => p.message);
  if (problems.length === 0 && decl.checkSyntax) problems.push(...decl.checkSyntax(parsed.values));
  if (problems.length > 0) {
    const summary = problems.join('; ');
    // Nothing can run with this configuration: a stop has nothing to do, a
    // probe finds nothing, a notify must not fail.
    if (action === 'stop' || action === 'notify') {
      log.warn(`${summary}: nothing to ${action}`);
      return OCF.SUCCESS;
    }
    if (isProbe) {
      log.warn(`${summary}: reporting not running`);
      return OCF.NOT_RUNNING;
    }
    exitReason(summary);
    return OCF.ERR_CONFIGURED;
  }

  const started = monotonicMs();
  const code = await runHandler(decl, ctx, exitReason, log);
  log.debug(`${action} returned ${ocfCodeName(code)} after ${Math.round(monotonicMs() - started)} ms`);
  return code;
}

async function runHandler(
  decl: AnyAgentDeclaration,
  ctx: ActionContext<ParameterTable>,
  exitReason: (reason: string) => void,
  log: Logger,
): Promise<OcfCode> {
  const run = (): Promise<ActionResult> | ActionResult => {
    if (ctx.action === 'validate-all' && !decl.actions['validate-all']) {
      return ctx.checkLevel >= 10 ? Promise.resolve(decl.checkEnvironment?.(ctx)).then(() => OCF.SUCCESS) : OCF.SUCCESS;
    }
    return decl.actions[ctx.action as keyof typeof decl.actions]?.run(ctx);
  };
  const fail = (error: unknown): OcfCode => {
    if (error instanceof OcfError) {
      exitReason(error.message);
      return error.code;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.stack) log.debug(error.stack);
    exitReason(`internal error in ${ctx.action}: ${message}`);
    return OCF.ERR_GENERIC;
  };
  const finish = (result: ActionResult): OcfCode => {
    const {code, reason} = normalise(result);
    if (reason !== undefined && code !== OCF.SUCCESS) exitReason(reason);
    return code;
  };
  let pending: Promise<ActionResult> | ActionResult;
  try {
    pending = run();
  } catch (error) {
    return fail(error);
  }
  // A synchronous handler (a monitor reading /proc) is done: no timer needed.
  if (!(pending instanceof Promise)) return finish(pending);
  // An asynchronous one races the deadline, so the agent always answers
  // with an exit reason before Pacemaker's SIGKILL.
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new GenericError(`${ctx.action} did not finish within its deadline (${ctx.env.timeoutMs ?? 'default'} ms timeout)`));
    }, ctx.deadline.remainingMs() + 250);
  });
  try {
    return finish(await Promise.race([pending, overrun]));
  } catch (error) {
    return fail(error);
  } finally {
    clearTimeout(timer);
  }
}

function normalise(result: ActionResult): {code: OcfCode; reason?: string} {
  if (result === undefined) return {code: OCF.SUCCESS};
  const {code, reason} = typeof result === 'number' ? {code: result, reason: undefined} : result;
  if (!isOcfCode(code)) return {code: OCF.ERR_GENERIC, reason: `agent produced invalid exit code ${String(code)}`};
  return reason === undefined ? {code} : {code, reason};
}
