// Bundles the lab's command line (test/cluster/lab-cli.ts) into
// dist/lab/lab.cjs and the failover benchmark (test/bench/lab-failover.ts)
// into dist/lab/lab-failover.cjs, next to the node init script and the fence
// agent the lab installs into the nodes. Usage: node test/cluster/build-lab.mjs
import {chmodSync, copyFileSync, mkdirSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {bundleTool} from '../../build/bundle-tool.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(resolve(here, '..', '..'), 'dist', 'lab');
mkdirSync(outDir, {recursive: true});
for (const [entry, out] of [[join(here, 'lab-cli.ts'), 'lab.cjs'], [join(here, '..', 'bench', 'lab-failover.ts'), 'lab-failover.cjs']]) {
  await bundleTool(entry, join(outDir, out));
}
for (const file of ['node-init.sh', 'fence_hacloud_lab']) {
  copyFileSync(join(here, file), join(outDir, file));
  chmodSync(join(outDir, file), 0o755);
}
