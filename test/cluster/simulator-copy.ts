import {copyFileSync, existsSync, mkdirSync, symlinkSync} from 'node:fs';
import {join} from 'node:path';

const BUILT = join(__dirname, '../../dist/drbd-sim/drbd-sim.cjs');

// Copies the built drbd-utils simulator into `dir` (a directory the cluster
// node can see: the node has its own /tmp, and the checkout may live there)
// with drbdadm/drbdsetup/fake-drbd links in dir/bin.
export function copySimulator(dir: string): {bin: string; script: string} {
  if (!existsSync(BUILT)) throw new Error('dist/drbd-sim is not built: run node test/drbd-sim/build.mjs');
  const script = join(dir, 'drbd-sim.cjs');
  copyFileSync(BUILT, script);
  const bin = join(dir, 'bin');
  mkdirSync(bin, {recursive: true});
  for (const program of ['drbdadm', 'drbdsetup', 'fake-drbd']) symlinkSync(script, join(bin, program));
  return {bin, script};
}
