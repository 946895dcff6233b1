import {execa} from 'execa';
import {randomBytes} from 'node:crypto';
import {mkdirSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {createBackupUser, processesWith} from '../helpers/backup';
import {AGENT_DIR, installedAgents, runInstalledAgent} from '../helpers/installed-agent';
import {createLayout, destroyLayout, type MariaDbLayout} from '../helpers/mariadb';

jest.setTimeout(240_000);

// ocf-tester on the installed backup agent, backing up a real MariaDB of
// its own (run by the mysql agent on 127.0.0.1:23408). Every start arms a
// scheduler that takes a full set at once, so the stops interrupt backups.
describe('ocf-tester on backup', () => {
  let layout: MariaDbLayout;
  let params: Record<string, string>;
  const mysql = (action: string) => runInstalledAgent('mysql', action, {instance: 'oct-backup-db', timeoutMs: 120_000, params: {...layout.params, enable_creation: 'true'}});
  beforeAll(async () => {
    if (!(await installedAgents()).includes('backup')) throw new Error('the installed hacloud has no backup agent: run make install in this tree');
    layout = createLayout('octbk', 23408);
    const started = await mysql('start');
    if (started.code !== 0) throw new Error(`mysql start: ${started.code} ${started.reason}`);
    const credentials = await createBackupUser(layout, 'hcbackup', `Oct-${randomBytes(6).toString('hex')}`);
    const backupDir = join(layout.root, 'backups');
    mkdirSync(backupDir, {mode: 0o700});
    params = {backup_dir: backupDir, credentials, socket: layout.socket, datadir: layout.datadir, full_interval: '1h', differential_interval: '10m'};
  });
  afterAll(async () => {
    if (!layout) return;
    await runInstalledAgent('backup', 'stop', {instance: 'oct-backup', params}).catch(() => undefined);
    await mysql('stop');
    destroyLayout(layout);
    for (const i of ['oct-backup', 'oct-backup-db']) rmSync(`/run/resource-agents/hacloud/${i}`, {recursive: true, force: true});
  });

  test('zero failures; afterwards no scheduler, no mariabackup and no partial set', async () => {
    const options = Object.entries(params).flatMap(([k, v]) => ['-o', `${k}=${v}`]);
    const result = await execa('ocf-tester', ['-n', 'oct-backup', ...options, `${AGENT_DIR}/backup`], {reject: false, all: true});
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    expect(processesWith('/run/resource-agents/hacloud/oct-backup/')).toEqual([]);
    expect(processesWith(`${params.backup_dir}/`)).toEqual([]);
    expect(readdirSync(params.backup_dir as string).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
