import {readFileSync} from 'node:fs';
import type {Deadline} from '../ocf/deadline';
import {run} from './exec';

export interface Account {
  name: string;
  id: number;
  // The user's primary group (users only).
  gid?: number;
}

// One line of /etc/passwd or /etc/group for `name`: name:x:id:gid:...
export function findAccountLine(text: string, name: string): Account | undefined {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] !== name || fields.length < 4) continue;
    if (!/^\d+$/.test(fields[2] ?? '')) return undefined;
    const id = Number(fields[2]);
    return /^\d+$/.test(fields[3] ?? '') ? {name, id, gid: Number(fields[3])} : {name, id};
  }
  return undefined;
}

// A user or group by name: the local files first (no fork), then NSS through
// `getent` (LDAP, sssd). undefined when it does not exist.
export async function lookupAccount(kind: 'passwd' | 'group', name: string, deadline: Deadline): Promise<Account | undefined> {
  try {
    const local = findAccountLine(readFileSync(`/etc/${kind}`, 'utf8'), name);
    if (local) return kind === 'group' ? {name, id: local.id} : local;
  } catch {
    // no local file: ask NSS
  }
  const result = await run('getent', [kind, name], {deadline});
  if (!result.ok) return undefined;
  const found = findAccountLine(result.stdout, name);
  return found && kind === 'group' ? {name, id: found.id} : found;
}
