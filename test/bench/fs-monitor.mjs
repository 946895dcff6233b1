// Benchmark: the installed fs monitor (depth 0) against
// ocf:heartbeat:Filesystem's on the same mounted ext4 loop filesystem, in
// the same run, interleaved; `hacloud version` as the floor of any call of
// the binary. Needs root (loop device, mount). Prints medians and ratios;
// not a test. Filesystem refuses to run (5) without modprobe on PATH, even
// for a type the kernel already has; where kmod is not installed a stub
// directory gives it /bin/true under that name (it is not called for ext4).
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs';
import {join} from 'node:path';
import {measure, report} from './measure.mjs';

const OURS = 'hacloud fs monitor';
const THEIRS = 'Filesystem monitor';

if (process.getuid?.() !== 0) throw new Error('fs-monitor bench: needs root (loop device, mount)');

const work = mkdtempSync('/var/tmp/hct-fs-bench-');
const image = join(work, 'fs.img');
const directory = join(work, 'mnt');
const run = (file, args, env = {}) => execFileSync(file, args, {env: {...process.env, ...env}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']});

const stubs = join(work, 'stub-bin');
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const hasModprobe = SYSTEM_PATH.split(':').some((dir) => existsSync(join(dir, 'modprobe')));

const agentEnv = (instance, device, path = SYSTEM_PATH) => ({
  PATH: path,
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: instance,
  OCF_RESKEY_device: device,
  OCF_RESKEY_directory: directory,
  OCF_RESKEY_fstype: 'ext4',
  OCF_RESKEY_CRM_meta_interval: '20000',
  OCF_RESKEY_CRM_meta_timeout: '40000',
});

let device;
try {
  run('truncate', ['-s', '64M', image]);
  run('mkfs.ext4', ['-q', image]);
  device = run('losetup', ['--find', '--show', image]).trim();
  run('blockdev', ['--setrw', device]);
  mkdirSync(directory);
  mkdirSync(stubs);
  if (!hasModprobe) symlinkSync('/bin/true', join(stubs, 'modprobe'));
  run('/usr/lib/ocf/resource.d/hacloud/fs', ['start'], agentEnv('bench-fs', device));
  const rows = report(
    'fs monitor vs Filesystem monitor, depth 0, filesystem mounted',
    measure({
      [THEIRS]: {argv: ['/usr/lib/ocf/resource.d/heartbeat/Filesystem', 'monitor'], env: agentEnv('bench-filesystem', device, `${stubs}:${SYSTEM_PATH}`)},
      [OURS]: {argv: ['/usr/lib/ocf/resource.d/hacloud/fs', 'monitor'], env: agentEnv('bench-fs', device)},
      'hacloud version (floor)': {argv: ['/usr/lib/hacloud/hacloud', 'version'], env: {}},
    }),
    THEIRS,
    {width: 30},
  );
  const ratio = rows[OURS].cpu / rows[THEIRS].cpu;
  console.log(`\nfs monitor cpu / Filesystem monitor cpu: ${ratio.toFixed(2)}× (target ≤ 0.5×)`);
  run('/usr/lib/ocf/resource.d/hacloud/fs', ['stop'], agentEnv('bench-fs', device));
} finally {
  try {
    execFileSync('umount', [directory], {stdio: 'ignore'});
  } catch {
    // not mounted
  }
  if (device) execFileSync('losetup', ['-d', device], {stdio: 'ignore'});
  rmSync(work, {recursive: true, force: true});
}
