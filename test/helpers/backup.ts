import {execa} from 'execa';
import {readdirSync, readFileSync} from 'node:fs';
import {HACLOUD} from './installed-agent';
import {processesWhere, sql, writeCredentials, type MariaDbLayout} from './mariadb';

// The privileges mariabackup needs (MariaDB 10.11), for an account whose
// password exists only in a root-only credentials file.
export async function createBackupUser(layout: MariaDbLayout, user: string, password: string, grants = 'RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR'): Promise<string> {
  await sql(layout, `CREATE USER '${user}'@'localhost' IDENTIFIED BY '${password}'${grants ? `; GRANT ${grants} ON *.* TO '${user}'@'localhost'` : ''}`);
  return writeCredentials(layout, `${user}.cnf`, `[client]\nuser = ${user}\npassword = "${password}"\n`, 0o600);
}

// `hacloud backup ...` of the installed binary.
export const hacloudBackup = (args: readonly string[], timeoutMs = 180_000) =>
  execa(HACLOUD, ['backup', ...args], {reject: false, timeout: timeoutMs, stdin: 'ignore'});

// Command lines of every process now, for "the password is never in argv".
export function allCmdlines(): string[] {
  const out: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      out.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // gone
    }
  }
  return out;
}

// Live processes whose command line contains `needle`.
export const processesWith = (needle: string): number[] => processesWhere((args) => args.join('\0').includes(needle));

// Samples every process's argv while `work` runs: what a `ps` would have shown.
export async function sampleCmdlinesDuring<T>(work: Promise<T>, everyMs = 25): Promise<{result: T; samples: string[]}> {
  const samples = new Set<string>();
  let done = false;
  const sampler = (async () => {
    while (!done) {
      for (const c of allCmdlines()) samples.add(c);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  try {
    return {result: await work, samples: [...samples]};
  } finally {
    done = true;
    await sampler;
  }
}
