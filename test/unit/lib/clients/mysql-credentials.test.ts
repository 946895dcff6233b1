import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {readCredentials} from '../../../../lib/clients/mysql-credentials';
import {secretFileProblem as credentialsFileProblem} from '../../../../lib/sys/secret-file';
import {ArgsError, PermError} from '../../../../lib/ocf';

describe('credentialsFileProblem', () => {
  const file = (uid: number, mode: number) => ({uid, mode: 0o100000 | mode, isFile: true});
  test.each([0o600, 0o400, 0o700])('root-owned mode %o is fine', (mode) => {
    expect(credentialsFileProblem(file(0, mode))).toBeUndefined();
  });
  test.each([
    [0o640, 'has mode 0640: group and others must have no access (chmod 0600)'],
    [0o604, 'has mode 0604: group and others must have no access (chmod 0600)'],
    [0o644, 'has mode 0644: group and others must have no access (chmod 0600)'],
    [0o620, 'has mode 0620: group and others must have no access (chmod 0600)'],
  ])('mode %o is refused', (mode, problem) => {
    expect(credentialsFileProblem(file(0, mode))).toBe(problem);
  });
  test('another owner or a directory is refused', () => {
    expect(credentialsFileProblem(file(107, 0o600))).toBe('is owned by uid 107, not root');
    expect(credentialsFileProblem({uid: 0, mode: 0o40700, isFile: false})).toBe('is not a regular file');
  });
});

const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

asRoot('readCredentials (as root)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hct-creds-'));
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));
  const write = (name: string, text: string, mode: number) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  test('a root-only file gives user and password', () => {
    const path = write('ok.cnf', '[client]\nuser=monitor\npassword="Zq9#distinct"\n', 0o600);
    expect(readCredentials(path)).toEqual({user: 'monitor', password: 'Zq9#distinct', ignored: []});
  });

  test('a group-readable file is refused with 4, without the password in the message', () => {
    const path = write('open.cnf', '[client]\nuser=monitor\npassword=Zq9-distinct\n', 0o640);
    expect(() => readCredentials(path)).toThrow(PermError);
    expect(() => readCredentials(path)).toThrow(`credentials file ${path} has mode 0640: group and others must have no access (chmod 0600)`);
  });

  test('a missing file or one without user= is 2', () => {
    expect(() => readCredentials(join(dir, 'none.cnf'))).toThrow(ArgsError);
    expect(() => readCredentials(join(dir, 'none.cnf'))).toThrow('does not exist');
    const path = write('nouser.cnf', '[mysqld]\nuser=mysql\n[client]\npassword=x\n', 0o600);
    expect(() => readCredentials(path)).toThrow(`credentials file ${path} has no user= in a [client], [mysql] or [mariadb-client] group`);
  });
});
