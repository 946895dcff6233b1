import type {Deadline} from '../ocf/deadline';

export interface RunOptions {
  // Bounds the child: TERM when the deadline passes, KILL a second later.
  deadline: Deadline;
  input?: string;
  env?: Record<string, string | undefined>;
  // false: the child sees `env` only, not this process's environment.
  extendEnv?: boolean;
  cwd?: string;
  // Ends the child early (TERM, KILL a second later) when it fires.
  signal?: AbortSignal;
}

export interface RunResult {
  command: string;
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  // The program could not be executed at all (ENOENT, EACCES).
  notFound: boolean;
  ok: boolean;
}

// Runs a program with an argument array (never a shell), LC_ALL=C so its
// output parses the same everywhere, bounded by the action's deadline.
// execa is loaded on first use so actions that never fork never pay for it.
export async function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const {execa} = await import('execa');
  const result = await execa(file, args, {
    reject: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    input: options.input,
    cwd: options.cwd,
    env: {...options.env, LC_ALL: 'C', LANG: 'C', LANGUAGE: undefined},
    extendEnv: options.extendEnv ?? true,
    timeout: Math.max(1, options.deadline.remainingMs()),
    killSignal: 'SIGTERM',
    forceKillAfterDelay: 1000,
    ...(options.signal ? {cancelSignal: options.signal} : {}),
    stripFinalNewline: true,
  });
  const code = (result as {code?: string}).code;
  return {
    command: [file, ...args].join(' '),
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut,
    notFound: code === 'ENOENT' || code === 'EACCES',
    ok: result.exitCode === 0,
  };
}

// One line saying how a command failed, for logs and exit reasons.
export function describeFailure(result: RunResult): string {
  if (result.notFound) return `${result.command}: cannot execute`;
  if (result.timedOut) return `${result.command}: timed out`;
  const detail = (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ');
  return `${result.command} exited ${result.exitCode ?? '?'}${detail ? `: ${detail}` : ''}`;
}
