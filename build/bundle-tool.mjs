// One TypeScript entry point bundled into a self-contained CommonJS file for
// Node 20: the test tools outside the agent binary (the lab, the failover
// benchmark, the real-DRBD lane) are built the same way.
import {build} from 'esbuild';

export async function bundleTool(entry, outfile) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // execa's dependency unicorn-magic exports only an "import" condition.
    conditions: ['import', 'node'],
    logLevel: 'warning',
  });
}
