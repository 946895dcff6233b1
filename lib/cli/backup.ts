import {writeSync} from 'node:fs';
import type {Argv} from 'yargs';
import type {BackupConfig} from '../../agents/backup/config';
import {findBinary} from '../sys/binaries';
import {parseDuration} from '../ocf/duration';

const out = (text: string): void => {
  writeSync(1, text);
};
const fail = (message: string): number => {
  writeSync(2, `hacloud backup: ${message}\n`);
  return 1;
};

// `hacloud backup list|run|verify|restore` (and the hidden `daemon`, the
// backup agent's scheduler). Each sets `code`; logic lives in agents/backup.
export function backupCommands(y: Argv, setCode: (code: number) => void): Argv {
  const dirOption = {'backup-dir': {type: 'string', demandOption: true, describe: 'The backup directory (backup_dir of the agent)'}} as const;
  const binaryOption = {binary: {type: 'string', default: 'mariabackup', describe: 'mariabackup program'}} as const;
  const wrap = (work: () => Promise<number>) => async () => {
    try {
      setCode(await work());
    } catch (error) {
      setCode(fail((error as Error).message));
    }
  };
  return y
    .command(
      'list',
      'List the sets with their chain (full ← differential) and state',
      (a) => a.options({...dirOption, json: {type: 'boolean', default: false}}),
      (args) => wrap(async () => {
        const {listSets, readStatus} = await import('../../agents/backup/store');
        const {formatList} = await import('../../agents/backup/list');
        const sets = listSets(args['backup-dir']);
        out(args.json ? `${JSON.stringify({sets, status: readStatus(args['backup-dir']) ?? null}, null, 2)}\n` : formatList(sets, readStatus(args['backup-dir'])));
        return 0;
      })(),
    )
    .command(
      'run',
      'Take one set now (full, or differential against the newest full), verified like the scheduled ones',
      (a) =>
        a.options({
          ...dirOption,
          ...binaryOption,
          type: {choices: ['full', 'differential'] as const, demandOption: true},
          credentials: {type: 'string', demandOption: true, describe: 'Root-only defaults file ([client] user=, password=)'},
          socket: {type: 'string', default: '/run/mysqld/mysqld.sock'},
          datadir: {type: 'string', default: '/var/lib/mysql'},
          compression: {choices: ['none', 'gzip'] as const, default: 'none' as const},
          'keep-full': {type: 'number', default: 2},
          'keep-differential': {type: 'number', default: 48},
          timeout: {type: 'string', default: '6h', describe: 'Longest backup'},
        }),
      (args) => wrap(async () => {
        const {readCredentials} = await import('../clients/mysql-credentials');
        const {takeBackup} = await import('../../agents/backup/take');
        const {createLogger} = await import('../ocf/log');
        const binary = findBinary(args.binary);
        if (!binary) return fail(`${args.binary} not found (install the mariadb-backup package)`);
        const log = createLogger({tag: 'hacloud backup', debug: false, write: (l) => writeSync(2, l)});
        log.redact(readCredentials(args.credentials).password);
        const config: BackupConfig = {
          instance: 'cli',
          backupDir: args['backup-dir'],
          binary,
          credentials: args.credentials,
          socket: args.socket,
          datadir: args.datadir,
          compression: args.compression,
          keepFull: args['keep-full'],
          keepDifferential: args['keep-differential'],
          fullIntervalMs: 0,
          differentialIntervalMs: 0,
          graceMs: 0,
          backupTimeoutMs: requireDuration(args.timeout),
        };
        const controller = new AbortController();
        process.once('SIGTERM', () => controller.abort());
        process.once('SIGINT', () => controller.abort());
        const manifest = await takeBackup(config, args.type, {log, signal: controller.signal});
        out(`${manifest.id}\n`);
        return 0;
      })(),
    )
    .command(
      'verify <set>',
      'Check a set\'s files against its manifest and prepare it (with its full) on a copy',
      (a) => a.positional('set', {type: 'string', demandOption: true}).options({...dirOption, ...binaryOption, timeout: {type: 'string', default: '6h'}}),
      (args) => wrap(async () => {
        const {verifySet} = await import('../../agents/backup/restore');
        const binary = findBinary(args.binary);
        if (!binary) return fail(`${args.binary} not found (install the mariadb-backup package)`);
        const report = await verifySet(binary, args['backup-dir'], args.set, requireDuration(args.timeout));
        out(`${args.set}: good (checksums match; ${report.chain.join(' + ')} prepared in ${report.ms} ms)\n`);
        return 0;
      })(),
    )
    .command(
      'restore <set>',
      'Restore a point (a full, or a full and one differential) into an empty data directory',
      (a) =>
        a.positional('set', {type: 'string', demandOption: true}).options({
          ...dirOption,
          ...binaryOption,
          target: {type: 'string', demandOption: true, describe: 'Empty (or missing) data directory to restore into'},
          user: {type: 'string', default: 'mysql', describe: 'Owner of the restored files'},
          group: {type: 'string', default: 'mysql'},
          timeout: {type: 'string', default: '6h'},
        }),
      (args) => wrap(async () => {
        const {restoreSet} = await import('../../agents/backup/restore');
        const binary = findBinary(args.binary);
        if (!binary) return fail(`${args.binary} not found (install the mariadb-backup package)`);
        if (!args.target.startsWith('/')) return fail(`--target ${args.target}: must be an absolute path`);
        const chain = await restoreSet({
          binary,
          backupDir: args['backup-dir'],
          id: args.set,
          target: args.target,
          user: args.user,
          group: args.group,
          timeoutMs: requireDuration(args.timeout),
        });
        out(`restored ${chain.map((m) => m.id).join(' + ')} into ${args.target} (LSN ${chain.at(-1)?.lsn.to})\n`);
        return 0;
      })(),
    )
    .command({
      command: 'daemon',
      describe: false,
      builder: (a: Argv) => a.options({config: {type: 'string', demandOption: true}}),
      handler: async (args: {config: string}) => {
        const {runScheduler} = await import('../../agents/backup/scheduler');
        setCode(await runScheduler(args.config));
      },
    } as never)
    .demandCommand(1, 'Give a backup command; see hacloud backup --help');
}

function requireDuration(text: string): number {
  const ms = parseDuration(text, 's');
  if (ms === undefined) throw new Error(`${text}: not a duration (e.g. 30m, 6h)`);
  return ms;
}
