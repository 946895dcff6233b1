import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {sha256File} from '../sys/checksum';
import {configured, param, result, under, type CheckResult, type DoctorContext} from './types';

export const DEFAULT_KEY_REPOSITORY = '/etc/keystone/fernet-keys';

// key_repository of keystone.conf's [fernet_tokens] section, or the default.
export function fernetKeyRepository(keystoneConf: string): string {
  let section = '';
  for (const raw of keystoneConf.split('\n')) {
    const line = raw.replace(/^\s*[#;].*/, '').trim();
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) section = header[1] as string;
    else if (section === 'fernet_tokens') {
      const pair = /^key_repository\s*=\s*(.*)$/.exec(line);
      if (pair?.[1]) return pair[1].trim();
    }
  }
  return DEFAULT_KEY_REPOSITORY;
}

// Fernet keys are files named by their index (0 is the staged key).
const keyFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^\d+$/.test(f)).sort();

// name → SHA-256 of the keys in a directory.
const digests = (dir: string): Map<string, string> => new Map(keyFiles(dir).map((f) => [f, sha256File(join(dir, f))]));

// (7) Keystone's Fernet keys must be the same on both nodes, or tokens
// issued on one fail on the other after a failover: the key repository on
// the replicated filesystem (the fs resource's directory), or identical to
// the other node's copy. Missing keys fail. Compared by hash; never printed.
export function checkFernetKeys(ctx: DoctorContext): CheckResult {
  const name = 'fernet keys';
  if (!configured(ctx, 'keystone')) return result(name, 'skip', 'keystone not configured');
  const confPath = (param(ctx, 'keystone', 'config') || '/etc/keystone/keystone.conf').split(/\s+/)[0] as string;
  let repository = DEFAULT_KEY_REPOSITORY;
  try {
    repository = fernetKeyRepository(readFileSync(under(ctx, confPath), 'utf8'));
  } catch {
    // No keystone.conf: the binaries check reports it; keystone would use the default.
  }
  let mine: Map<string, string>;
  try {
    mine = digests(under(ctx, repository));
  } catch {
    return result(name, 'fail', `key repository ${repository} missing (keystone-manage fernet_setup)`);
  }
  if (mine.size === 0) return result(name, 'fail', `no keys in ${repository} (keystone-manage fernet_setup)`);
  const replicated = param(ctx, 'fs', 'directory');
  if (configured(ctx, 'fs') && replicated && `${repository}/`.startsWith(`${replicated.replace(/\/+$/, '')}/`)) {
    return result(name, 'pass', `${mine.size} keys in ${repository}, on the replicated filesystem ${replicated}`);
  }
  if (ctx.peerFernet === undefined) {
    return result(name, 'warn', `${mine.size} keys in ${repository}, not on the replicated filesystem${replicated ? ` ${replicated}` : ''}: not compared (give --peer-fernet DIR, a copy of the other node's)`);
  }
  let theirs: Map<string, string>;
  try {
    theirs = digests(ctx.peerFernet);
  } catch (error) {
    return result(name, 'fail', `peer copy ${ctx.peerFernet}: ${(error as Error).message}`);
  }
  const names = [...new Set([...mine.keys(), ...theirs.keys()])].sort();
  const differing = names.filter((n) => mine.get(n) !== theirs.get(n));
  if (differing.length > 0) return result(name, 'fail', `keys ${differing.join(', ')} of ${repository} differ from the peer copy ${ctx.peerFernet} (or are missing on one side)`);
  return result(name, 'pass', `${mine.size} keys in ${repository}, identical to the peer copy`);
}
