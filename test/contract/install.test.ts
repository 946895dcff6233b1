import {execa} from 'execa';
import {existsSync, lstatSync, mkdtempSync, readlinkSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

jest.setTimeout(120_000);

const root = join(__dirname, '../..');

// `make install` into a staging directory, as a package build does.
describe('make install', () => {
  test.each([
    ['/usr', '/usr/lib/ocf'],
    ['/opt/hacloud', '/usr/lib/ocf'],
  ])('PREFIX=%s installs the binary and links every agent into %s', async (prefix, ocfRoot) => {
    const destdir = mkdtempSync(join(tmpdir(), 'hacloud-destdir-'));
    await execa('make', ['-s', 'install', `DESTDIR=${destdir}`, `PREFIX=${prefix}`], {cwd: root});
    const binary = `${prefix}/lib/hacloud/hacloud`;
    expect(statSync(join(destdir, binary)).mode & 0o777).toBe(0o755);
    const {stdout} = await execa(join(destdir, binary), ['agents']);
    const agents = stdout.split('\n').filter(Boolean);
    expect(agents).toContain('vip');
    for (const agent of agents) {
      const link = join(destdir, ocfRoot, 'resource.d/hacloud', agent);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      // Links point at the installed path, not into the staging directory.
      expect(readlinkSync(link)).toBe(binary);
    }
    expect(readlinkSync(join(destdir, prefix, 'sbin/hacloud'))).toBe(binary);
    await execa('make', ['-s', 'uninstall', `DESTDIR=${destdir}`, `PREFIX=${prefix}`], {cwd: root});
    expect(existsSync(join(destdir, binary))).toBe(false);
    expect(existsSync(join(destdir, ocfRoot, 'resource.d/hacloud'))).toBe(false);
  });
});
