// What a backup set says about itself (manifest.json, written last, just
// before the set is renamed to its final name) and what mariabackup says
// (xtrabackup_checkpoints).

export type SetType = 'full' | 'differential';
export type Compression = 'none' | 'gzip';

export interface FileEntry {
  // Relative to the set directory, "/"-separated.
  path: string;
  size: number;
  sha256: string;
}

export interface Lsn {
  from: string;
  to: string;
  last: string;
}

export interface Manifest {
  format: 1;
  id: string;
  type: SetType;
  // The full set a differential applies to; null for a full.
  base: string | null;
  node: string;
  // ISO times: when mariabackup started and when the set was complete and verified.
  started: string;
  finished: string;
  // mariabackup --backup alone, and the whole set (backup, verification, checksums).
  backupMs: number;
  durationMs: number;
  lsn: Lsn;
  sizeBytes: number;
  compression: Compression;
  mariabackup: string;
  verification: {method: 'prepare-copy'; ms: number};
  files: FileEntry[];
  // SHA-256 of the file list ("sha256  size  path" lines, sorted by path).
  checksum: string;
}

// "20250102T030405.678Z-full": sorts by time; the suffix says the type.
export const SET_ID = /^(\d{8}T\d{6}\.\d{3}Z)-(full|diff)$/;

export function setId(type: SetType, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  return `${stamp}-${type === 'full' ? 'full' : 'diff'}`;
}

export function fileListText(files: readonly FileEntry[]): string {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.size}  ${f.path}\n`)
    .join('');
}

// xtrabackup_checkpoints: "backup_type = full-backuped", "from_lsn = 0", ...
export interface Checkpoints {
  backupType: string;
  lsn: Lsn;
}

export function parseCheckpoints(text: string): Checkpoints {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (m) values.set(m[1] as string, m[2] as string);
  }
  const get = (name: string): string => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`xtrabackup_checkpoints has no ${name}`);
    return value;
  };
  const lsn = {from: get('from_lsn'), to: get('to_lsn'), last: values.get('last_lsn') ?? get('to_lsn')};
  for (const [name, value] of Object.entries(lsn)) {
    if (!/^\d+$/.test(value)) throw new Error(`xtrabackup_checkpoints: ${name}_lsn ${JSON.stringify(value)} is not a number`);
  }
  return {backupType: get('backup_type'), lsn};
}

// The manifest of a set directory's manifest.json text; throws on anything
// that is not one (a damaged set is never taken for a good one).
export function parseManifest(text: string, id: string): Manifest {
  const m = JSON.parse(text) as Partial<Manifest>;
  const problems: string[] = [];
  if (m.format !== 1) problems.push(`format ${String(m.format)}`);
  if (m.id !== id) problems.push(`id ${String(m.id)} in directory ${id}`);
  if (m.type !== 'full' && m.type !== 'differential') problems.push(`type ${String(m.type)}`);
  if (m.type === 'differential' && typeof m.base !== 'string') problems.push('differential without base');
  if (!m.lsn || !/^\d+$/.test(String(m.lsn.from)) || !/^\d+$/.test(String(m.lsn.to))) problems.push('LSN range');
  if (!Array.isArray(m.files) || m.files.length === 0) problems.push('file list');
  if (typeof m.checksum !== 'string') problems.push('checksum');
  if (problems.length > 0) throw new Error(`manifest of ${id}: bad ${problems.join(', ')}`);
  return m as Manifest;
}
