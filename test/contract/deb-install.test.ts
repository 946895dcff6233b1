// The Debian package from `make deb`: lintian, and a real `apt-get install
// ./hacloud_*.deb`, crm ra list/info of every agent, man pages, the command
// on PATH, then `dpkg -P` leaving nothing of ours. The install happens in a
// private mount namespace over copy-on-write /usr, /etc and /var
// (deb/install-in-namespace.sh): the host's own hacloud (`make install`),
// its dpkg database and everything else are checked unchanged afterwards.
import {execa} from 'execa';
import {existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync} from 'node:fs';
import {join} from 'node:path';

jest.setTimeout(900_000);

const root = join(__dirname, '../..');
const SCRIPT = join(__dirname, 'deb/install-in-namespace.sh');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string}).version;

let deb = '';
let agents: string[] = [];
beforeAll(async () => {
  // `make deb` is part of `make test`; here it only rebuilds what changed.
  await execa('make', ['-s', 'deb'], {cwd: root});
  const arch = (await execa('dpkg', ['--print-architecture'])).stdout.trim();
  deb = join(root, `dist/hacloud_${version}_${arch}.deb`);
  agents = (await execa(join(root, 'dist/hacloud'), ['agents'])).stdout.split('\n').filter(Boolean);
});

test('the package: control fields, contents, and lintian has nothing left to say', async () => {
  const field = async (name: string) => (await execa('dpkg-deb', ['--field', deb, name])).stdout.trim();
  expect(await field('Package')).toBe('hacloud');
  expect(await field('Version')).toBe(version);
  expect(await field('Depends')).toMatch(/libc6 \(>= [\d.]+\).*pacemaker \| pacemaker-resource-agents/);
  expect(await field('Recommends')).toMatch(/corosync/);
  for (const heavy of ['drbd-utils', 'mariadb-server', 'rabbitmq-server']) {
    expect(await field('Suggests')).toContain(heavy);
    expect(`${await field('Depends')} ${await field('Recommends')}`).not.toContain(heavy);
  }
  const contents = (await execa('dpkg-deb', ['--contents', deb])).stdout;
  expect(contents).toMatch(/-rwxr-xr-x root\/root .* \.\/usr\/lib\/hacloud\/hacloud$/m);
  for (const agent of agents) {
    expect(contents).toContain(`./usr/lib/ocf/resource.d/hacloud/${agent} -> ../../../hacloud/hacloud`);
    expect(contents).toContain(`./usr/share/man/man7/ocf_hacloud_${agent}.7.gz`);
  }
  expect(contents).toContain('./usr/sbin/hacloud -> ../lib/hacloud/hacloud');
  expect(contents).toContain('./usr/share/doc/hacloud/examples/mysql-on-drbd.crm');

  const lintian = await execa('lintian', ['--fail-on', 'error,warning', deb], {reject: false, all: true});
  const tags = lintian.all.split('\n').filter((l) => /^[EW]: /.test(l));
  expect(tags).toEqual([]);
  expect(lintian.exitCode).toBe(0);
});

// What `make install` left on the host, and the host's dpkg view of hacloud.
// (Other work on this machine may run `make install` meanwhile, so the
// binary's content and new links are not compared; the package would show
// as relative links, removed links or a dpkg entry.)
function hostState() {
  const dir = '/usr/lib/ocf/resource.d/hacloud';
  return {
    binary: existsSync('/usr/lib/hacloud/hacloud'),
    links: existsSync(dir) ? Object.fromEntries(readdirSync(dir).map((name) => [name, lstatSync(join(dir, name)).isSymbolicLink() ? readlinkSync(join(dir, name)) : '(file)'])) : null,
    sbin: existsSync('/usr/sbin/hacloud') ? readlinkSync('/usr/sbin/hacloud') : null,
    dpkgKnowsHacloud: /^Package: hacloud$/m.test(readFileSync('/var/lib/dpkg/status', 'utf8')),
    man: existsSync('/usr/share/man/man7/ocf_hacloud_vip.7.gz'),
  };
}

test('apt-get install ./hacloud_*.deb: crm ra lists and describes every agent, man pages work, dpkg -P leaves nothing (host untouched)', async () => {
  const before = hostState();
  const work = mkdtempSync('/var/tmp/hct-deb-');
  let output: string;
  try {
    const run = await execa('unshare', ['--mount', SCRIPT, deb, work], {reject: false, all: true, timeout: 800_000});
    output = run.all;
    expect(run.exitCode).toBe(0);
  } finally {
    rmSync(work, {recursive: true, force: true});
  }
  // "=== STEP rc=N" sections.
  const steps = new Map<string, {rc: number; out: string}>();
  for (const chunk of output.split(/^=== /m).slice(1)) {
    const [head = '', ...body] = chunk.split('\n');
    const m = /^(.*) rc=(\d+)$/.exec(head);
    if (m) steps.set(m[1] ?? '', {rc: Number(m[2]), out: body.join('\n').trim()});
  }
  const step = (name: string) => {
    const s = steps.get(name);
    if (!s) throw new Error(`step ${name} missing from:\n${output}`);
    return s;
  };
  const ok = (name: string) => {
    const s = step(name);
    if (s.rc !== 0) throw new Error(`step ${name} failed (${s.rc}):\n${s.out}`);
    return s.out;
  };

  ok('install');
  expect(ok('status')).toBe(`install ok installed ${version}`);
  expect(ok('files')).toContain('/usr/lib/hacloud/hacloud');
  const listed = ok('ra-list').split(/\s+/).filter(Boolean).sort();
  expect(listed).toEqual([...agents].sort());
  for (const agent of agents) {
    const info = ok(`ra-info ${agent}`);
    // crm ra info prints "<shortdesc> (ocf:hacloud:<agent>)" and the parameters.
    expect(info).toContain(`(ocf:hacloud:${agent})`);
    expect(info).toMatch(/Parameters \(\*: required, \[\]: default\):/);
    expect(ok(`man-path ${agent}`)).toBe(`/usr/share/man/man7/ocf_hacloud_${agent}.7.gz`);
  }
  const manVip = ok('man-vip');
  expect(manVip).toMatch(/^OCF_HACLOUD_VIP\(7\)/m);
  expect(manVip).toMatch(/SUPPORTED PARAMETERS[\s\S]*\bip\b[\s\S]*cidr_netmask[\s\S]*SUPPORTED ACTIONS[\s\S]*EXAMPLE CRM SHELL/);
  expect(ok('man-hacloud')).toMatch(/hacloud - Pacemaker resource agents/);
  expect(ok('on-path')).toMatch(new RegExp(`^hacloud ${version.replace(/\./g, '\\.')}`));
  ok('completion');

  ok('purge');
  expect(step('status-after').rc).not.toBe(0);
  expect(ok('left')).toBe('');
  expect(ok('dpkg-info')).toBe('');

  // The host saw none of it.
  const after = hostState();
  expect({...after, links: null}).toEqual({...before, links: null});
  if (before.links) expect(after.links).toEqual(expect.objectContaining(before.links));
  expect(before.dpkgKnowsHacloud).toBe(false);
  expect(before.man).toBe(false);
});
