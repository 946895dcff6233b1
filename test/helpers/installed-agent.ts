import {execa} from 'execa';

export const AGENT_DIR = '/usr/lib/ocf/resource.d/hacloud';
export const HACLOUD = '/usr/lib/hacloud/hacloud';

export interface AgentRun {
  code: number;
  stdout: string;
  stderr: string;
  // The last ocf-exit-reason line, as Pacemaker reads it.
  reason: string | undefined;
  ms: number;
}

export interface AgentRunOptions {
  params?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  // Run inside this network namespace (ip netns exec).
  netns?: string;
  instance?: string;
  timeoutMs?: number;
}

// Runs an installed agent as Pacemaker's executor would: a clean
// environment with OCF variables only, the action as the only argument.
export async function runInstalledAgent(agent: string, action: string, options: AgentRunOptions = {}): Promise<AgentRun> {
  const env: Record<string, string> = {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    OCF_ROOT: '/usr/lib/ocf',
    OCF_RA_VERSION_MAJOR: '1',
    OCF_RA_VERSION_MINOR: '1',
    OCF_RESOURCE_TYPE: agent,
    OCF_RESOURCE_PROVIDER: 'hacloud',
    OCF_RESOURCE_INSTANCE: options.instance ?? `it-${agent}`,
    OCF_RESKEY_CRM_meta_timeout: String(options.timeoutMs ?? 20_000),
    ...Object.fromEntries(Object.entries(options.params ?? {}).map(([k, v]) => [`OCF_RESKEY_${k}`, String(v)])),
    ...options.env,
  };
  const argv = options.netns ? ['ip', 'netns', 'exec', options.netns, `${AGENT_DIR}/${agent}`, action] : [`${AGENT_DIR}/${agent}`, action];
  const started = performance.now();
  const result = await execa(argv[0] as string, argv.slice(1), {
    env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: (options.timeoutMs ?? 20_000) + 10_000,
  });
  const reasons = String(result.stderr).split('\n').filter((l) => l.startsWith('ocf-exit-reason:'));
  return {
    code: result.exitCode ?? -1,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    reason: reasons.at(-1)?.slice('ocf-exit-reason:'.length),
    ms: performance.now() - started,
  };
}

// The agents the installed binary serves.
export async function installedAgents(): Promise<string[]> {
  const {stdout} = await execa(HACLOUD, ['agents']);
  return stdout.split('\n').filter(Boolean);
}
