import type {Compression} from './manifest';

// What taking, verifying and restoring sets needs: the agent's parameters
// (written for the scheduler to its state directory) or `hacloud backup`'s options.
export interface BackupConfig {
  instance: string;
  backupDir: string;
  // The mariabackup program (full path).
  binary: string;
  // Root-only defaults file; reaches mariabackup only as --defaults-extra-file.
  credentials: string;
  socket: string;
  datadir: string;
  compression: Compression;
  keepFull: number;
  keepDifferential: number;
  fullIntervalMs: number;
  differentialIntervalMs: number;
  graceMs: number;
  backupTimeoutMs: number;
}

export function parseConfig(text: string): BackupConfig {
  const c = JSON.parse(text) as Partial<BackupConfig>;
  for (const key of ['instance', 'backupDir', 'binary', 'credentials', 'socket', 'datadir', 'compression'] as const) {
    if (typeof c[key] !== 'string') throw new Error(`scheduler configuration: ${key} missing`);
  }
  for (const key of ['keepFull', 'keepDifferential', 'fullIntervalMs', 'differentialIntervalMs', 'graceMs', 'backupTimeoutMs'] as const) {
    if (typeof c[key] !== 'number') throw new Error(`scheduler configuration: ${key} missing`);
  }
  return c as BackupConfig;
}
