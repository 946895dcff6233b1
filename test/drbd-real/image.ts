import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, lstatSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {writeCpio, type CpioEntry} from './cpio';
import {drbdConf} from './config';

// Builds the guests' kernel and initramfs from Debian packages only (apt-get
// download + dpkg-deb -x), cached under CACHE: the debs, their extraction,
// and the finished images keyed by everything that goes into them.

export const CACHE = '/var/cache/hacloud-drbd-real';
// Bump when the image layout below changes (the cache key covers the inputs, not this code).
const IMAGE_FORMAT = 1;
const GUEST_DIR = join(__dirname, 'guest');

// insmod order (dependencies first); drbd is loaded by the guest's init.
const MODULES = [
  'virtio_ring', 'virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci', 'virtio_blk',
  'failover', 'net_failover', 'virtio_net', 'virtio_console', 'crc32c_generic', 'libcrc32c', 'lru_cache', 'drbd',
];
const DRBD_BINARIES = ['sbin/drbdadm', 'sbin/drbdsetup', 'sbin/drbdmeta', 'lib/drbd/drbdadm-84', 'lib/drbd/drbdsetup-84'];
const GUEST_SCRIPTS = ['command-loop', 'data-sum', 'fake-pacemaker', 'attrs'];
const PACEMAKER_TOOLS = ['crm_attribute', 'attrd_updater', 'crm_node', 'cibadmin', 'stonith_admin'];

export interface GuestImage {
  kernel: string;
  initrd: string;
  kernelVersion: string;
  built: boolean;
  seconds: number;
}

const sh = (file: string, args: string[], cwd?: string) =>
  execFileSync(file, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? {cwd} : {}), maxBuffer: 64 << 20});

// Debian 12's current kernel: what linux-image-amd64 depends on.
function kernelPackage(): string {
  const deps = sh('apt-cache', ['depends', 'linux-image-amd64']);
  const name = /Depends:\s*(linux-image-\d\S*-amd64)/.exec(deps)?.[1];
  if (!name) throw new Error(`no kernel package in: ${deps}`);
  return name;
}

// The package owning a file (dpkg -S), trying the /usr form of merged paths.
function owningPackage(path: string): string {
  for (const candidate of [path, path.replace(/^\/lib/, '/usr/lib'), path.replace(/^\/usr\/lib/, '/lib')]) {
    try {
      const out = sh('dpkg', ['-S', candidate]);
      const pkg = out.split(':')[0]?.trim();
      if (pkg) return pkg;
    } catch {
      // next form
    }
  }
  throw new Error(`no package owns ${path}`);
}

// Shared libraries a binary needs, as ldd resolves them: [path, real path].
function libraries(binary: string): string[] {
  const out = sh('ldd', [binary]);
  const paths = new Set<string>();
  for (const line of out.split('\n')) {
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) paths.add(match[1]);
  }
  return [...paths];
}

// apt-get download into debs/ (once), then dpkg-deb -x into root/<package>.
function fetch(pkg: string): string {
  const debs = join(CACHE, 'debs');
  mkdirSync(debs, {recursive: true});
  const prefix = `${pkg}_`;
  let deb = readdirSync(debs).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
  if (!deb) {
    sh('apt-get', ['download', pkg], debs);
    deb = readdirSync(debs).find((f) => f.startsWith(prefix) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
  }
  const root = join(CACHE, 'root', deb.replace(/\.deb$/, ''));
  if (!existsSync(join(root, '.done'))) {
    rmSync(root, {recursive: true, force: true});
    mkdirSync(root, {recursive: true});
    sh('dpkg-deb', ['-x', join(debs, deb), root]);
    writeFileSync(join(root, '.done'), '');
  }
  return root;
}

// A file from an extracted package, following symlinks inside the package
// (absolute targets are package paths); merged-/usr packages ship either form.
function fromPackage(root: string, path: string): string {
  for (const candidate of [path, path.replace(/^\/lib/, '/usr/lib'), path.replace(/^\/usr\/lib/, '/lib')]) {
    let full = join(root, candidate);
    for (let hops = 0; hops < 8; hops++) {
      let stat;
      try {
        stat = lstatSync(full);
      } catch {
        break;
      }
      if (stat.isFile()) return full;
      if (!stat.isSymbolicLink()) break;
      const target = readlinkSync(full);
      full = target.startsWith('/') ? join(root, target) : join(dirname(full), target);
    }
  }
  throw new Error(`${path} is not in ${root}`);
}

export function buildGuestImage(hacloud: string, log: (line: string) => void): GuestImage {
  const started = Date.now();
  const kpkg = kernelPackage();
  const kernelVersion = kpkg.replace(/^linux-image-/, '');
  const hacloudHash = createHash('sha256').update(readFileSync(hacloud)).digest('hex');
  const key = createHash('sha256')
    .update(JSON.stringify({format: IMAGE_FORMAT, kpkg, hacloudHash, conf: drbdConf(), MODULES, DRBD_BINARIES}))
    .update(GUEST_SCRIPTS.concat('init').map((f) => readFileSync(join(GUEST_DIR, f), 'utf8')).join('\0'))
    .digest('hex')
    .slice(0, 16);
  const out = join(CACHE, `image-${key}`);
  const image = {kernel: join(out, 'vmlinuz'), initrd: join(out, 'initrd.cpio'), kernelVersion};
  if (existsSync(image.initrd)) return {...image, built: false, seconds: (Date.now() - started) / 1000};

  log(`building guest image ${key} (${kpkg})`);
  const kroot = fetch(kpkg);
  const busybox = fetch('busybox-static');
  const drbdUtils = fetch('drbd-utils');
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const dir = (path: string) => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = `/${parts.slice(0, i).join('/')}`;
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({kind: 'dir', path: d});
      }
    }
  };
  const file = (path: string, data: Buffer, mode = 0o755) => {
    dir(dirname(path));
    entries.push({kind: 'file', path, data, mode});
  };
  const link = (path: string, target: string) => {
    dir(dirname(path));
    entries.push({kind: 'symlink', path, target});
  };
  for (const d of ['/dev', '/proc', '/sys', '/tmp', '/etc', '/usr/local/sbin']) dir(d);
  entries.push({kind: 'char', path: '/dev/console', major: 5, minor: 1});
  entries.push({kind: 'char', path: '/dev/null', major: 1, minor: 3, mode: 0o666});

  file('/bin/busybox', readFileSync(join(busybox, 'bin/busybox')));
  link('/bin/sh', 'busybox');
  const modDir = join(kroot, 'lib/modules', kernelVersion, 'kernel');
  const found = sh('find', [modDir, '-name', '*.ko']).split('\n').filter(Boolean);
  for (const m of MODULES) {
    const path = found.find((p) => basename(p) === `${m}.ko`);
    if (!path) throw new Error(`module ${m} not in ${kpkg}`);
    file(`/modules/${m}.ko`, readFileSync(path), 0o644);
  }
  for (const bin of DRBD_BINARIES) file(`/${bin}`, readFileSync(join(drbdUtils, bin)));
  for (const bin of ['drbdadm', 'drbdsetup', 'drbdmeta']) link(`/usr/sbin/${bin}`, `/sbin/${bin}`);

  // Shared libraries of everything dynamic, each taken from its own package.
  const needed = new Set<string>();
  for (const bin of [hacloud, ...DRBD_BINARIES.map((b) => join(drbdUtils, b))]) for (const lib of libraries(bin)) needed.add(lib);
  for (const lib of needed) {
    const pkg = owningPackage(lib);
    file(lib, readFileSync(fromPackage(fetch(pkg), lib)), 0o755);
    log(`  ${lib} from ${pkg}`);
  }

  file('/usr/lib/hacloud/hacloud', readFileSync(hacloud));
  link('/usr/sbin/hacloud', '/usr/lib/hacloud/hacloud');
  link('/usr/lib/ocf/resource.d/hacloud/drbd', '/usr/lib/hacloud/hacloud');
  file('/init', readFileSync(join(GUEST_DIR, 'init')));
  for (const script of GUEST_SCRIPTS) file(`/bin/${script}`, readFileSync(join(GUEST_DIR, script)));
  for (const tool of PACEMAKER_TOOLS) link(`/usr/local/sbin/${tool}`, '/bin/fake-pacemaker');
  file('/etc/drbd.conf', Buffer.from(drbdConf()), 0o644);
  file('/etc/passwd', Buffer.from('root:x:0:0:root:/root:/bin/sh\n'), 0o644);
  file('/etc/group', Buffer.from('root:x:0:\n'), 0o644);

  mkdirSync(out, {recursive: true});
  writeCpio(`${image.initrd}.tmp`, entries);
  writeFileSync(image.kernel, readFileSync(join(kroot, 'boot', `vmlinuz-${kernelVersion}`)));
  renameSync(`${image.initrd}.tmp`, image.initrd);
  // Older images are of no further use.
  for (const old of readdirSync(CACHE)) if (old.startsWith('image-') && old !== basename(out)) rmSync(join(CACHE, old), {recursive: true, force: true});
  return {...image, built: true, seconds: (Date.now() - started) / 1000};
}
