import {execa} from 'execa';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

const SIM_BIN = join(__dirname, '../../dist/drbd-sim/bin');

// One node (ctl1) of a simulated two-node DRBD resource r0 whose peer is
// down, with UpToDate data from an initial sync and the resource down: what
// an agent test starts from.
export interface SimulatedNode {
  dir: string;
  conf: string;
  // Environment for the agent and the simulator (simulator first on PATH).
  env: Record<string, string>;
  sim(argv: string[]): Promise<SimResult>;
  cleanup(): Promise<void>;
}

export interface SimResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export async function prepareSimulatedNode(prefix: string, flavor: '9' | '8.4' = '9'): Promise<SimulatedNode> {
  if (!existsSync(join(SIM_BIN, 'drbdadm'))) throw new Error('dist/drbd-sim is not built: run node test/drbd-sim/build.mjs');
  const dir = mkdtempSync(`/var/tmp/${prefix}-`);
  const conf = join(dir, 'drbd.conf');
  writeFileSync(conf, '# resources are defined by fake-drbd init\n');
  const env = {
    PATH: `${SIM_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`,
    FAKE_DRBD_NODE: 'ctl1',
    FAKE_DRBD_STATE: join(dir, 'sim'),
    HA_RSCTMP: join(dir, 'rsctmp'),
  };
  const sim = async (argv: string[]): Promise<SimResult> => {
    const r = await execa(join(SIM_BIN, argv[0] as string), argv.slice(1), {env, reject: false});
    return {exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr)};
  };
  for (const argv of [
    ['fake-drbd', 'init', '--resource', 'r0', '--nodes', 'ctl1,ctl2', '--size-mib', '8', '--flavor', flavor],
    ['drbdadm', 'up', 'r0'],
    ['drbdadm', 'primary', '--force', 'r0'],
    ['drbdadm', 'secondary', 'r0'],
    ['drbdadm', 'down', 'r0'],
  ]) {
    const r = await sim(argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  }
  return {
    dir,
    conf,
    env,
    sim,
    cleanup: async () => {
      await sim(['fake-drbd', 'hold-open', 'r0', 'off']);
      await sim(['drbdadm', 'down', 'r0']);
      await sim(['fake-drbd', 'teardown']);
      rmSync(dir, {recursive: true, force: true});
    },
  };
}
