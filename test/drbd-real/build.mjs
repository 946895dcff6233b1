// Bundles the real-DRBD lane (test/drbd-real/*.ts) into dist/drbd-real/*.cjs
// and copies the guest scripts beside them. Usage: node test/drbd-real/build.mjs
import {cpSync, mkdirSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {bundleTool} from '../../build/bundle-tool.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(resolve(here, '..', '..'), 'dist', 'drbd-real');
mkdirSync(outDir, {recursive: true});
for (const entry of ['lane', 'smoke']) {
  await bundleTool(join(here, `${entry}.ts`), join(outDir, `${entry}.cjs`));
}
cpSync(join(here, 'guest'), join(outDir, 'guest'), {recursive: true});
