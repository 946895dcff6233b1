import {chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
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

// drbdadm/drbdsetup wrappers in dir/wrappers that fix the simulator's state
// directory (Pacemaker passes agents no environment of ours); bind the
// directory over /usr/local/sbin so the node's agents find them first on PATH.
export function writeSimulatorWrappers(dir: string, script: string, state: string): string {
  const bin = join(dir, 'wrappers');
  mkdirSync(bin, {recursive: true});
  for (const program of ['drbdadm', 'drbdsetup']) {
    const wrapper = join(bin, program);
    writeFileSync(wrapper, `#!/bin/sh\nFAKE_DRBD_STATE='${state}'\nexport FAKE_DRBD_STATE\nexec '${process.execPath}' '${script}' ${program} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return bin;
}
