// What Pacemaker (or ocf-tester, ocft, crm_resource) tells the agent through
// the environment, read once.
export interface OcfEnvironment {
  readonly instance: string;
  // OCF_RESKEY_CRM_meta_interval in ms; 0 when unset (a probe for monitor).
  readonly intervalMs: number;
  // OCF_RESKEY_CRM_meta_timeout in ms, when given.
  readonly timeoutMs: number | undefined;
  // OCF_CHECK_LEVEL as requested (old stacks: OCF_RESKEY_OCF_CHECK_LEVEL), undefined when unset.
  readonly requestedCheckLevel: number | undefined;
  readonly debug: boolean;
  readonly logFile: string | undefined;
  readonly debugLogFile: string | undefined;
  readonly exitReasonPrefix: string;
  // Set by ocf-tester to pretend every binary is missing.
  readonly failHaveBinary: boolean;
  // HA_RSCTMP: base of the per-instance state directories.
  readonly stateRoot: string;
  // The raw environment, for agent-specific variables (notify, clone meta).
  readonly raw: NodeJS.ProcessEnv;
  // OCF_RESKEY_CRM_meta_<name> (dashes become underscores).
  meta(name: string): string | undefined;
}

const truthy = (value: string | undefined): boolean =>
  value !== undefined && value !== '' && value !== '0' && !/^(no|false|off)$/i.test(value);

const integerOrUndefined = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
};

export function readOcfEnvironment(env: NodeJS.ProcessEnv, fallbackInstance: string): OcfEnvironment {
  const meta = (name: string): string | undefined => env[`OCF_RESKEY_CRM_meta_${name.replace(/-/g, '_')}`];
  return {
    instance: env.OCF_RESOURCE_INSTANCE || fallbackInstance,
    intervalMs: integerOrUndefined(meta('interval')) ?? 0,
    timeoutMs: integerOrUndefined(meta('timeout')),
    requestedCheckLevel: integerOrUndefined(
      env.OCF_CHECK_LEVEL ?? env.OCF_RESKEY_OCF_CHECK_LEVEL ?? meta('OCF_CHECK_LEVEL'),
    ),
    debug: truthy(env.HA_debug) || truthy(env.OCF_TRACE_RA) || truthy(env.OCF_RESKEY_trace_ra),
    logFile: env.HA_LOGFILE || undefined,
    debugLogFile: env.HA_DEBUGLOG || undefined,
    exitReasonPrefix: env.OCF_EXIT_REASON_PREFIX || 'ocf-exit-reason:',
    failHaveBinary: truthy(env.OCF_TESTER_FAIL_HAVE_BINARY),
    stateRoot: env.HA_RSCTMP || '/run/resource-agents',
    raw: env,
    meta,
  };
}
