import {dispatch} from '../../lib/ocf/dispatch';
import type {AnyAgentDeclaration} from '../../lib/ocf/declaration';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  // The last ocf-exit-reason line, as Pacemaker reads it.
  reason: string | undefined;
}

// Runs one action in-process and captures what Pacemaker would see.
export async function runAction(
  agent: AnyAgentDeclaration,
  action: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await dispatch(agent, action === undefined ? [] : [action], env, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  const reasons = stderr.split('\n').filter((l) => l.startsWith('ocf-exit-reason:'));
  return {code, stdout, stderr, reason: reasons.at(-1)?.slice('ocf-exit-reason:'.length)};
}
