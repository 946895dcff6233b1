import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {ensureDirectory} from '../../../../lib/sys/directories';
import {randomBytes} from 'node:crypto';
import {createHash} from 'node:crypto';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Deadline} from '../../../../lib/ocf/deadline';
import {copyDeviceToFile} from '../../../../lib/sys/block-copy';
import {describeHolders, parseMountsOf} from '../../../../lib/sys/holders';

describe('block copy', () => {
  test('copies completely, with a checksum, under the final name only at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacloud-copy-'));
    const data = randomBytes(3 * 1024 * 1024 + 123);
    writeFileSync(join(dir, 'source'), data);
    const result = await copyDeviceToFile(join(dir, 'source'), join(dir, 'copy.img'), Deadline.after(10_000));
    expect(result).toEqual({bytes: data.length, sha256: createHash('sha256').update(data).digest('hex')});
    expect(readFileSync(join(dir, 'copy.img')).equals(data)).toBe(true);
    expect(existsSync(join(dir, 'copy.img.partial'))).toBe(false);
  });

  test('a copy that runs out of time leaves nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacloud-copy-'));
    writeFileSync(join(dir, 'source'), randomBytes(1024 * 1024));
    await expect(copyDeviceToFile(join(dir, 'source'), join(dir, 'copy.img'), Deadline.after(0))).rejects.toThrow(/did not finish in time/);
    expect(existsSync(join(dir, 'copy.img'))).toBe(false);
    expect(existsSync(join(dir, 'copy.img.partial'))).toBe(false);
  });
});

describe('device holders', () => {
  test('mount points of a device from mountinfo', () => {
    const mountinfo =
      '36 25 7:3 / /srv/data rw,relatime shared:1 - ext4 /dev/loop3 rw\n' +
      '37 25 7:4 / /srv/other rw - ext4 /dev/loop4 rw\n' +
      '38 25 7:3 /sub /srv/with\\040space rw - ext4 /dev/loop3 rw\n';
    expect(parseMountsOf(mountinfo, '7:3')).toEqual(['/srv/data', '/srv/with space']);
  });
  test('described for an exit reason', () => {
    expect(describeHolders({mounts: ['/var/lib/mysql'], processes: [{pid: 42, comm: 'mysqld'}]})).toBe(
      'mounted on /var/lib/mysql, held open by mysqld[42]',
    );
    expect(describeHolders({mounts: [], processes: []})).toBe('');
  });
});

describe('ensureDirectory', () => {
  test('creates missing parents and the directory with its mode', () => {
    const base = mkdtempSync(join(tmpdir(), 'hacloud-dir-'));
    const target = join(base, 'a', 'b', 'c');
    ensureDirectory(target, 0o700);
    expect(statSync(target).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, 'a')).mode & 0o777).toBe(0o755);
    ensureDirectory(target, 0o700);
  });
  test('fails, not loops, where nothing can be created (/proc)', () => {
    expect(() => ensureDirectory('/proc/hacloud-test/x')).toThrow(/ENOENT|EACCES/);
  });
});
