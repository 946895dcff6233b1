// Bundles the DRBD simulator into dist/drbd-sim/drbd-sim.cjs (executable,
// with a node shebang) and links dist/drbd-sim/bin/{drbdadm,drbdsetup,fake-drbd}
// to it. Usage: node test/drbd-sim/build.mjs
import {build} from 'esbuild';
import {chmodSync, mkdirSync, rmSync, symlinkSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'dist', 'drbd-sim');
const outfile = join(outDir, 'drbd-sim.cjs');
const binDir = join(outDir, 'bin');

await build({
  entryPoints: [join(root, 'test', 'drbd-sim', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: {js: '#!/usr/bin/env node'},
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
mkdirSync(binDir, {recursive: true});
for (const name of ['drbdadm', 'drbdsetup', 'fake-drbd']) {
  const link = join(binDir, name);
  rmSync(link, {force: true});
  symlinkSync(relative(binDir, outfile), link);
}
console.log(`${relative(root, outfile)} and ${relative(root, binDir)}/{drbdadm,drbdsetup,fake-drbd}`);
