// Benchmark: the installed vip monitor against ocf:heartbeat:IPaddr2's on
// the same address in the same run, interleaved; and hacloud's start-up
// against a bare `node -e 0`. Runs in a network namespace of its own with an
// address from 203.0.113.0/24. Prints medians and ratios; not a test.
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {copyFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {measure, report} from './measure.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const ns = `hcb-${randomBytes(3).toString('hex')}`;
const peer = `${ns}p`;
const VIP = '203.0.113.80';

const ip = (...args) => execFileSync('ip', args, {stdio: ['ignore', 'pipe', 'inherit']});
const inNs = (argv, env = {}) =>
  execFileSync('ip', ['netns', 'exec', ns, ...argv], {env: {...process.env, ...env}, encoding: 'utf8'});

const agentEnv = (instance) => ({
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: instance,
  OCF_RESKEY_ip: VIP,
  OCF_RESKEY_cidr_netmask: '24',
  OCF_RESKEY_CRM_meta_interval: '10000',
  OCF_RESKEY_CRM_meta_timeout: '20000',
});

// The floor of any agent built as a Node single executable: one that runs
// an empty script. No Node agent can monitor for less CPU than this.
function buildEmptySea() {
  const dir = mkdtempSync(join(tmpdir(), 'hacloud-bench-'));
  writeFileSync(join(dir, 'empty.js'), '0\n');
  writeFileSync(
    join(dir, 'sea.json'),
    JSON.stringify({main: join(dir, 'empty.js'), output: join(dir, 'blob'), disableExperimentalSEAWarning: true, useCodeCache: true}),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', join(dir, 'sea.json')], {stdio: 'ignore'});
  copyFileSync(process.execPath, join(dir, 'empty-sea'));
  execFileSync(
    process.execPath,
    [join(here, '../../node_modules/postject/dist/cli.js'), join(dir, 'empty-sea'), 'NODE_SEA_BLOB', join(dir, 'blob'),
      '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
    {stdio: 'ignore'},
  );
  return dir;
}





const emptySea = buildEmptySea();
try {
  ip('netns', 'add', ns);
  ip('netns', 'add', peer);
  ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer);
  ip('-n', ns, 'addr', 'add', '203.0.113.1/24', 'dev', 'eth0');
  ip('-n', peer, 'addr', 'add', '203.0.113.2/24', 'dev', 'eth0');
  for (const n of [ns, peer]) {
    ip('-n', n, 'link', 'set', 'lo', 'up');
    ip('-n', n, 'link', 'set', 'eth0', 'up');
  }
  inNs(['/usr/lib/ocf/resource.d/hacloud/vip', 'start'], {...agentEnv('bench-vip'), OCF_RESKEY_arp_count: '0'});

  const monitor = report(
    'vip monitor vs IPaddr2 monitor, address up',
    measure(
      {
        'IPaddr2 monitor': {argv: ['/usr/lib/ocf/resource.d/heartbeat/IPaddr2', 'monitor'], env: agentEnv('bench-ipaddr2')},
        'hacloud vip monitor': {argv: ['/usr/lib/ocf/resource.d/hacloud/vip', 'monitor'], env: agentEnv('bench-vip')},
        'empty Node SEA (floor)': {argv: [join(emptySea, 'empty-sea')], env: {}},
      },
      {netns: ns},
    ),
    'IPaddr2 monitor',
  );
  const startup = report(
    'start-up: hacloud version vs node -e 0',
    measure({
      'node -e 0': {argv: [process.execPath, '-e', '0'], env: {}},
      'hacloud version': {argv: ['/usr/lib/hacloud/hacloud', 'version'], env: {}},
      'hacloud vip meta-data': {argv: ['/usr/lib/ocf/resource.d/hacloud/vip', 'meta-data'], env: {}},
    }),
    'node -e 0',
  );
  const vipVsNode = monitor['hacloud vip monitor'].cpu / startup['node -e 0'].cpu;
  console.log(`\nvip monitor cpu / node -e 0 cpu: ${vipVsNode.toFixed(2)}×`);
  inNs(['/usr/lib/ocf/resource.d/hacloud/vip', 'stop'], agentEnv('bench-vip'));
} finally {
  rmSync(emptySea, {recursive: true, force: true});
  for (const n of [ns, peer]) {
    try {
      ip('netns', 'del', n);
    } catch {
      // already gone
    }
  }
}
