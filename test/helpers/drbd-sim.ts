// Tests against the DRBD simulator (test/drbd-sim): build it, set up a
// two-node resource with loop-backed images in a temporary state directory,
// run drbdadm/drbdsetup/fake-drbd as either node, clean up loop devices and
// files. Every call uses argument arrays and a timeout.
import {execa} from 'execa';
import {createHash} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const SIM_BIN = join(REPO, 'dist', 'drbd-sim', 'bin');
const RUN_TIMEOUT_MS = 60_000;

let built: Promise<void> | undefined;

// Builds dist/drbd-sim (node test/drbd-sim/build.mjs) once per test process.
export function buildSim(): Promise<void> {
  built ??= execa('node', [join(REPO, 'test', 'drbd-sim', 'build.mjs')], {cwd: REPO, timeout: RUN_TIMEOUT_MS}).then(() => undefined);
  return built;
}

export type SimProgram = 'drbdadm' | 'drbdsetup' | 'fake-drbd';

export interface SimResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SimOptions {
  resource?: string;
  nodes?: [string, string];
  flavor?: '9' | '8.4';
  sizeMiB?: number;
  // Extra `fake-drbd init` arguments (policies, fencing, handlers).
  init?: string[];
}

export interface Sim {
  dir: string;
  stateDir: string;
  resource: string;
  nodes: [string, string];
  // The environment a simulator program gets when run as `node`.
  env(node: string): Record<string, string>;
  run(node: string, program: SimProgram, args: readonly string[], extraEnv?: Record<string, string>): Promise<SimResult>;
  drbdadm(node: string, ...args: string[]): Promise<SimResult>;
  drbdsetup(node: string, ...args: string[]): Promise<SimResult>;
  fake(...args: string[]): Promise<SimResult>;
  // sh-dev / sh-ll-dev paths of a node.
  device(node: string): string;
  image(node: string): string;
  // `fake-drbd state` parsed.
  state(): Promise<SimState>;
  // Removes loop devices, links and the temporary directory.
  cleanup(): Promise<void>;
}

export interface SimNodeSummary {
  role?: string;
  disk?: string;
  conn?: string;
  repl?: string;
  peerRole?: string;
  peerDisk?: string;
  oosKiB?: number;
  down?: boolean;
  gi: {current: string; bitmap: string; history: [string, string]};
}

export interface SimState {
  link: string;
  handlerCalls: {node: string; handler: string; exitCode: number | null}[];
  summary: Record<string, Record<string, SimNodeSummary>>;
}

// A fresh simulated two-node resource (created with fake-drbd init, not up).
export async function createSim(options: SimOptions = {}): Promise<Sim> {
  await buildSim();
  const dir = mkdtempSync(join(tmpdir(), 'drbd-sim-'));
  const stateDir = join(dir, 'state');
  const resource = options.resource ?? 'r0';
  const nodes = options.nodes ?? ['ctl1', 'ctl2'];
  const env = (node: string): Record<string, string> => ({
    PATH: `${SIM_BIN}:/usr/sbin:/usr/bin:/sbin:/bin`, FAKE_DRBD_NODE: node, FAKE_DRBD_STATE: stateDir, LC_ALL: 'C',
  });
  const run = async (node: string, program: SimProgram, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<SimResult> => {
    const r = await execa(join(SIM_BIN, program), args, {env: {...env(node), ...extraEnv}, extendEnv: false, reject: false,
      timeout: RUN_TIMEOUT_MS, stdin: 'ignore', stripFinalNewline: false});
    return {code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr)};
  };
  const sim: Sim = {
    dir, stateDir, resource, nodes, env, run,
    drbdadm: (node, ...args) => run(node, 'drbdadm', args),
    drbdsetup: (node, ...args) => run(node, 'drbdsetup', args),
    fake: (...args) => run(nodes[0], 'fake-drbd', args),
    device: (node) => join(stateDir, 'dev', node, 'drbd0'),
    image: (node) => join(stateDir, 'img', resource, `${node}.img`),
    state: async () => JSON.parse((await run(nodes[0], 'fake-drbd', ['state'])).stdout) as SimState,
    cleanup: async () => {
      await run(nodes[0], 'fake-drbd', ['teardown']).catch(() => undefined);
      for (const node of nodes) {
        const r = await execa('losetup', ['-j', join(stateDir, 'img', resource, `${node}.img`)], {reject: false, timeout: 10_000});
        for (const line of String(r.stdout).split('\n')) {
          const loop = line.split(':')[0]?.trim();
          if (loop?.startsWith('/dev/loop')) await execa('losetup', ['-d', loop], {reject: false, timeout: 10_000});
        }
      }
      rmSync(dir, {recursive: true, force: true});
    },
  };
  const init = await sim.fake('init', '--resource', resource, '--nodes', nodes.join(','), '--size-mib', String(options.sizeMiB ?? 64),
    '--flavor', options.flavor ?? '9', ...(options.init ?? []));
  if (init.code !== 0) {
    await sim.cleanup();
    throw new Error(`fake-drbd init failed (${init.code}): ${init.stderr}`);
  }
  return sim;
}

// Both nodes up, initial sync skipped, the first node Primary.
export async function startHealthy(sim: Sim): Promise<void> {
  const [a, b] = sim.nodes;
  for (const [node, args] of [[a, ['up', sim.resource]], [b, ['up', sim.resource]],
    [a, ['new-current-uuid', '--clear-bitmap', sim.resource]], [a, ['primary', sim.resource]]] as const) {
    const r = await sim.drbdadm(node, ...args);
    if (r.code !== 0) throw new Error(`drbdadm ${args.join(' ')} on ${node} failed (${r.code}): ${r.stderr}`);
  }
}

// SHA-256 of a file (an image) as hex.
export function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

// Key/value pairs of an events2 line of the given object type.
export function events2Object(output: string, object: string): Record<string, string> {
  const line = output.split('\n').find((l) => l.startsWith(`exists ${object} `)) ?? '';
  return Object.fromEntries(line.split(' ').slice(2).map((kv) => {
    const i = kv.indexOf(':');
    return [kv.slice(0, i), kv.slice(i + 1)];
  }));
}
