import {roundCheckLevel} from './check-level';
import type {ActionContext, ActionResult, AgentDeclaration} from './declaration';
import {Deadline} from './deadline';
import {readOcfEnvironment} from './environment';
import {GenericError, OcfError} from './errors';
import {OCF, isOcfCode, ocfCodeName, type OcfCode} from './exit-codes';
import {createLogger, type Logger} from './log';
import {listActions, renderMetadata} from './metadata';
import {parseParameters, type ParameterTable} from './parameters';
import {ensureStateDir} from './state-dir';
import {renderUsage} from './usage';

export interface DispatchIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: DispatchIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

// validate-all checks the local environment unless OCF_CHECK_LEVEL=0 asks for syntax only.
const VALIDATE_DEFAULT_LEVEL = 10;

// Runs one OCF action of an agent and returns its exit code. The only place
// that turns results and exceptions into codes and the exit reason line.
export async function dispatch(
  decl: AgentDeclaration<ParameterTable>,
  argv: readonly string[],
  rawEnv: NodeJS.ProcessEnv,
  io: DispatchIo = processIo,
): Promise<number> {
  const action = argv[0];
  switch (action) {
    case 'meta-data':
      io.stdout(renderMetadata(decl));
      return OCF.SUCCESS;
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

  const started = performance.now();
  const code = await runHandler(decl, ctx, exitReason, log);
  log.debug(`${action} returned ${ocfCodeName(code)} after ${Math.round(performance.now() - started)} ms`);
  return code;
}

async function runHandler(
  decl: AgentDeclaration<ParameterTable>,
  ctx: ActionContext<ParameterTable>,
  exitReason: (reason: string) => void,
  log: Logger,
): Promise<OcfCode> {
  const handler = async (): Promise<ActionResult> => {
    if (ctx.action === 'validate-all' && !decl.actions['validate-all']) {
      if (ctx.checkLevel >= 10) await decl.checkEnvironment?.(ctx);
      return OCF.SUCCESS;
    }
    return decl.actions[ctx.action as keyof typeof decl.actions]?.run(ctx);
  };
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new GenericError(`${ctx.action} did not finish within its deadline (${ctx.env.timeoutMs ?? 'default'} ms timeout)`));
    }, ctx.deadline.remainingMs() + 250);
  });
  try {
    const result = await Promise.race([handler(), overrun]);
    const {code, reason} = normalise(result);
    if (reason !== undefined && code !== OCF.SUCCESS) exitReason(reason);
    return code;
  } catch (error) {
    if (error instanceof OcfError) {
      exitReason(error.message);
      return error.code;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.stack) log.debug(error.stack);
    exitReason(`internal error in ${ctx.action}: ${message}`);
    return OCF.ERR_GENERIC;
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
