import {fs} from '../../../agents/fs';
import {deviceLink, udevEncode} from '../../../agents/fs/device';
import {fsckFailed, wantsFsck} from '../../../agents/fs/fsck';
import {classifyMount} from '../../../agents/fs/mount-state';
import {isBindMount, mountPoint, parseDeviceSpec, parseSignal} from '../../../agents/fs/params';
import {mountArgs} from '../../../agents/fs/start';
import {parseMountinfoLine, type MountEntry} from '../../../lib/sys/mountinfo';
import {runAction} from '../../helpers/run-dispatch';

const base = {device: '/dev/drbd0', directory: '/srv/data', fstype: 'ext4'};
const env = (params: Record<string, string>, extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`OCF_RESKEY_${k}`, v])),
  ...extra,
});
// Syntax only: validate-all at OCF_CHECK_LEVEL 0 looks at nothing on this node.
const validate = (params: Record<string, string>) => runAction(fs, 'validate-all', env(params, {OCF_CHECK_LEVEL: '0'}));

describe('fs parameter syntax', () => {
  test.each([
    [base],
    [{...base, directory: '/srv/data/', options: 'noatime,data=ordered', run_fsck: 'force', force_unmount: 'false'}],
    [{...base, device: 'UUID=4f1c-22', term_signal: 'SIGINT', kill_signal: '9', signal_delay: '250ms'}],
    [{...base, device: 'LABEL=my data'}],
    [{device: '/srv/source', directory: '/srv/bound', fstype: 'none'}],
  ])('%j is valid', async (params) => {
    expect((await validate(params)).code).toBe(0);
  });

  test.each([
    [{directory: '/srv/data', fstype: 'ext4'}, 'required parameter device is not set'],
    [{...base, directory: '/'}, 'directory=/ cannot be managed'],
    [{...base, directory: '//'}, 'directory=/ cannot be managed'],
    [{...base, directory: 'srv/data'}, 'parameter directory="srv/data": must be an absolute path'],
    [{...base, run_fsck: 'sometimes'}, 'parameter run_fsck="sometimes": must be one of auto, force, no'],
    [{...base, force_unmount: 'yes'}, 'parameter force_unmount="yes": must be one of true, safe, false'],
    [{...base, device: 'drbd0'}, 'device=drbd0 is neither an absolute path nor UUID=, LABEL=, PARTUUID=, PARTLABEL='],
    [{...base, device: ' /dev/drbd0'}, 'device=" /dev/drbd0" has leading or trailing white space'],
    [{...base, fstype: '-o'}, 'fstype=-o is not a filesystem type'],
    [{...base, term_signal: 'SIGNOPE'}, 'term_signal=SIGNOPE is not a signal'],
    [{...base, kill_signal: '999'}, 'kill_signal=999 is not a signal'],
    [{...base, signal_delay: 'soon'}, 'parameter signal_delay="soon": is not a duration (e.g. 500ms, 10s, 2m)'],
    [{...base, statusfile_prefix: '../escape/'}, 'statusfile_prefix=../escape/ must be relative to the directory, without ..'],
    [{...base, statusfile_prefix: '/abs/'}, 'statusfile_prefix=/abs/ must be relative to the directory, without ..'],
    [{...base, fstype: 'none', device: 'UUID=1234'}, 'a bind mount needs a directory as device, not UUID=1234'],
  ])('%j is a configuration error: %s', async (params, reason) => {
    const out = await validate(params);
    expect([out.code, out.reason]).toEqual([6, reason]);
  });

  test('directory=/ is 7 for a probe and 0 for a stop, 6 for a recurring monitor', async () => {
    const params = {...base, directory: '/'};
    expect((await runAction(fs, 'monitor', env(params, {OCF_RESKEY_CRM_meta_interval: '0'}))).code).toBe(7);
    expect((await runAction(fs, 'stop', env(params))).code).toBe(0);
    expect((await runAction(fs, 'monitor', env(params, {OCF_RESKEY_CRM_meta_interval: '20000'}))).code).toBe(6);
  });

  test('meta-data declares monitor depths 0, 10 and 20', async () => {
    const out = await runAction(fs, 'meta-data', {});
    expect(out.stdout).toContain('<action name="monitor" timeout="40s" interval="20s" depth="0"/>');
    expect(out.stdout).toMatch(/<action name="monitor" timeout="\d+s" interval="\d+s" depth="10"\/>/);
    expect(out.stdout).toMatch(/<action name="monitor" timeout="\d+s" interval="\d+s" depth="20"\/>/);
    expect(out.stdout).toContain('<action name="start" timeout="60s"/>');
  });
});

describe('fs helpers', () => {
  test('mount point: trailing slashes dropped, / kept', () => {
    expect(mountPoint('/srv/data/')).toBe('/srv/data');
    expect(mountPoint('/srv//data//')).toBe('/srv/data');
    expect(mountPoint('/')).toBe('/');
  });

  test('signals by name, SIG name or number', () => {
    expect(parseSignal('TERM')).toBe(15);
    expect(parseSignal('sigkill')).toBe(9);
    expect(parseSignal('2')).toBe(2);
    expect(parseSignal('0x')).toBeUndefined();
  });

  test('device tags and their udev links', () => {
    expect(parseDeviceSpec('UUID=abcd')).toEqual({kind: 'tag', tag: 'UUID', value: 'abcd'});
    expect(deviceLink({kind: 'tag', tag: 'LABEL', value: 'my data/1'})).toBe('/dev/disk/by-label/my\\x20data\\x2f1');
    expect(deviceLink({kind: 'tag', tag: 'PARTUUID', value: 'a-b'})).toBe('/dev/disk/by-partuuid/a-b');
    expect(udevEncode('A#+-.:=@_z')).toBe('A#+-.:=@_z');
  });

  test('fsck policy: auto skips journaling and network filesystems', () => {
    expect(wantsFsck('auto', 'ext4')).toBe(false);
    expect(wantsFsck('auto', 'xfs')).toBe(false);
    expect(wantsFsck('auto', 'btrfs')).toBe(false);
    expect(wantsFsck('auto', 'ext2')).toBe(true);
    expect(wantsFsck('force', 'ext4')).toBe(true);
    expect(wantsFsck('no', 'ext2')).toBe(false);
    expect([0, 1, 2, 3, 4, 8, undefined].map(fsckFailed)).toEqual([false, false, false, false, true, true, true]);
  });

  test('mount arguments: -w unless ro, bind mounts', () => {
    const args = (p: Record<string, string | undefined>) =>
      mountArgs({params: {...base, ...p} as never}, p.device ?? base.device, '/srv/data');
    expect(args({})).toEqual(['-t', 'ext4', '-w', '/dev/drbd0', '/srv/data']);
    expect(args({options: 'noatime'})).toEqual(['-t', 'ext4', '-w', '-o', 'noatime', '/dev/drbd0', '/srv/data']);
    expect(args({options: 'ro,noatime'})).toEqual(['-t', 'ext4', '-o', 'ro,noatime', '/dev/drbd0', '/srv/data']);
    expect(args({fstype: 'none', device: '/srv/src'})).toEqual(['-o', 'bind', '/srv/src', '/srv/data']);
    expect(args({fstype: 'ext4', options: 'rbind,ro', device: '/srv/src'})).toEqual(['-o', 'rbind,ro', '/srv/src', '/srv/data']);
    expect(isBindMount({fstype: 'ext4', options: 'noatime,bind'})).toBe(true);
    expect(isBindMount({fstype: 'ext4', options: 'binder'})).toBe(false);
  });

  test('a mount whose device is missing is foreign, never ours', () => {
    const mount = parseMountinfoLine('44 26 7:1 / /srv/data rw - ext4 /dev/loop1 rw') as MountEntry;
    expect(classifyMount({...base} as never, undefined, '/dev/drbd0')).toEqual({kind: 'absent'});
    expect(classifyMount({...base} as never, mount, undefined)).toEqual({
      kind: 'foreign',
      mount,
      reason: '/srv/data has /dev/loop1 (7:1, ext4) mounted and device /dev/drbd0 is missing',
    });
  });
});
