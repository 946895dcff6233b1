import {accessSync, constants, statSync} from 'node:fs';
import {join} from 'node:path';

// Pacemaker's PATH may lack the sbin directories where our tools live.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

const isExecutableFile = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

// The full path of a program, or undefined. An absolute name is checked as
// is. With OCF_TESTER_FAIL_HAVE_BINARY set (ocf-tester) every binary is
// reported missing, as resource-agents' have_binary does.
export function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fail = env.OCF_TESTER_FAIL_HAVE_BINARY;
  if (fail && fail !== '0') return undefined;
  if (name.includes('/')) return isExecutableFile(name) ? name : undefined;
  const dirs = [...(env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_DIRS];
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
