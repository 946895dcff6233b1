// Bundles the real-DRBD lane (test/drbd-real/*.ts) into dist/drbd-real/*.cjs
// and copies the guest scripts beside them. Usage: node test/drbd-real/build.mjs
import {build} from 'esbuild';
import {cpSync, mkdirSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(resolve(here, '..', '..'), 'dist', 'drbd-real');
mkdirSync(outDir, {recursive: true});
for (const entry of ['lane', 'smoke']) {
  await build({
    entryPoints: [join(here, `${entry}.ts`)],
    outfile: join(outDir, `${entry}.cjs`),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    conditions: ['import', 'node'],
    logLevel: 'warning',
  });
}
cpSync(join(here, 'guest'), join(outDir, 'guest'), {recursive: true});
