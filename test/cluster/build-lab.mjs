// Bundles the lab's command line (test/cluster/lab-cli.ts) into
// dist/lab/lab.cjs, next to the node init script and the fence agent it
// installs into the nodes. Usage: node test/cluster/build-lab.mjs
import {build} from 'esbuild';
import {chmodSync, copyFileSync, mkdirSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(resolve(here, '..', '..'), 'dist', 'lab');
mkdirSync(outDir, {recursive: true});
await build({
  entryPoints: [join(here, 'lab-cli.ts')],
  outfile: join(outDir, 'lab.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // execa's dependency unicorn-magic exports only an "import" condition.
  conditions: ['import', 'node'],
  logLevel: 'warning',
});
for (const file of ['node-init.sh', 'fence_hacloud_lab']) {
  copyFileSync(join(here, file), join(outDir, file));
  chmodSync(join(outDir, file), 0o755);
}
