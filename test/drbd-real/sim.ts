import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {mkdirSync, openSync, readSync, closeSync, rmSync, symlinkSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {NODES, RESOURCE, type NodeName} from './config';
import type {CommandResult} from './guest';
import {AGENT} from './cluster';
import {CACHE} from './image';

// The same scenarios against test/drbd-sim (8.4 flavor) on this host: each
// "guest" command is translated to the simulator's equivalent, so the
// scenario code and its checks stay the same (see README: known limitations).

const SIM_BIN = resolve(__dirname, '..', 'drbd-sim', 'bin');
const GUEST = join(__dirname, 'guest');
const STATE_DIR = '/var/lib/hacloud/drbd';
const PRESERVED = `${STATE_DIR}/preserved`;
const ATTRD = '/var/lib/fake-attrd';

function exec(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutS: number): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolveRun) => {
    execFile(file, args, {env, timeout: timeoutS * 1000, maxBuffer: 64 << 20, encoding: 'utf8'}, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
      resolveRun({code, stdout, stderr, ms: Date.now() - started});
    });
  });
}

export class SimNode {
  constructor(
    readonly name: NodeName,
    private readonly dir: string,
    private readonly hacloud: string,
  ) {}

  private get root() {
    return join(this.dir, 'root', this.name);
  }

  // Guest paths to this node's host directories; the agent's state_dir is
  // shared by both nodes (one handler command for the resource).
  private path(p: string): string {
    if (p.startsWith(PRESERVED)) return join(this.root, p);
    if (p.startsWith(STATE_DIR)) return join(this.dir, 'shared-state', p.slice(STATE_DIR.length));
    if (p.startsWith('/var/')) return join(this.root, p);
    if (p === '/dev/vda') return join(this.dir, 'sim', 'img', RESOURCE, `${this.name}.img`);
    return p;
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: `${SIM_BIN}:${join(this.dir, 'pacemaker-bin')}:/usr/sbin:/usr/bin:/sbin:/bin`,
      FAKE_DRBD_NODE: this.name,
      FAKE_DRBD_STATE: join(this.dir, 'sim'),
      FAKE_ATTRD_STORE: join(this.root, ATTRD),
      FAKE_ATTRD_NODE: this.name,
      HA_RSCTMP: join(this.root, 'rsctmp'),
      OCF_RESKEY_drbdconf: join(this.dir, 'sim', 'drbd.conf'),
      OCF_RESKEY_state_dir: this.path(STATE_DIR),
      OCF_RESKEY_victim_preserve_dir: this.path(PRESERVED),
    };
  }

  async run(argv: string[], timeoutS = 60): Promise<CommandResult> {
    const [cmd = '', ...rest] = argv;
    const env = this.env();
    const ok = (stdout = ''): CommandResult => ({code: 0, stdout, stderr: '', ms: 0});
    switch (cmd) {
      case 'true':
        return ok();
      case 'ip':
        // One shared link: the first node's down/up acts, the second's repeats it.
        return exec(join(SIM_BIN, 'fake-drbd'), ['link', rest[3] === 'up' ? 'up' : 'down'], env, timeoutS);
      case 'dd': {
        const arg = (k: string) => Number(rest.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1) ?? 0);
        return exec(join(SIM_BIN, 'fake-drbd'), ['write', RESOURCE, String(arg('count') * 4), '--node', this.name, '--offset', String(arg('seek') * 4)], env, timeoutS);
      }
      case 'data-sum': {
        // Replication is lazy in the simulator: let a command settle it first.
        await exec(join(SIM_BIN, 'drbdadm'), ['role', RESOURCE], env, timeoutS);
        return ok(`${sha256Prefix(this.path(rest[0] ?? ''), Number(rest[1]) * 1024)}\n`);
      }
      case 'create-md':
        return ok();
      case 'drbdadm':
        // fake-drbd init wrote the meta-data already.
        if (rest[0] === 'create-md') return ok();
        return exec(join(SIM_BIN, 'drbdadm'), rest, env, timeoutS);
      case 'drbdsetup':
        return exec(join(SIM_BIN, cmd), rest, env, timeoutS);
      case 'attrs':
        return exec(join(GUEST, 'attrs'), rest, env, timeoutS);
      case 'env': {
        // env -i K=V... AGENT action: the agent with the simulator's environment added.
        const vars: NodeJS.ProcessEnv = {};
        let i = rest[0] === '-i' ? 1 : 0;
        for (; i < rest.length && rest[i]?.includes('=') && rest[i] !== AGENT; i++) {
          const kv = rest[i] as string;
          vars[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
        }
        return exec(join(this.dir, 'drbd'), rest.slice(i + 1), {...vars, ...env}, timeoutS);
      }
      case 'ls': {
        const r = await exec('ls', rest.map((a) => this.path(a)), env, timeoutS);
        // The shared state dir holds both nodes' markers; a node's own are named after its peer.
        if (rest[0] === STATE_DIR) r.stdout = r.stdout.split('\n').filter((f) => f !== `${RESOURCE}.split-brain.${this.name}`).join('\n');
        return r;
      }
      case 'cat':
      case 'sha256sum':
      case 'rm':
        return exec(cmd, rest.map((a) => this.path(a)), env, timeoutS);
      default:
        return {code: 127, stdout: '', stderr: `sim: ${cmd} is not translated`, ms: 0};
    }
  }

  async must(argv: string[], timeoutS = 60): Promise<string> {
    const r = await this.run(argv, timeoutS);
    if (r.code !== 0) throw new Error(`sim ${this.name}: ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }
}

function sha256Prefix(file: string, bytes: number): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let left = bytes;
    let pos = 0;
    while (left > 0) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, left), pos);
      if (n <= 0) break;
      hash.update(buf.subarray(0, n));
      left -= n;
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export interface SimPair {
  nodes: Record<NodeName, SimNode>;
  close(): Promise<void>;
}

// A fresh simulated resource like the guests' (8.4, after-sb-* disconnect,
// the hacloud split-brain handler), with both nodes' host directories.
export async function startSim(hacloud: string): Promise<SimPair> {
  const dir = join(CACHE, `sim.${process.pid}`);
  rmSync(dir, {recursive: true, force: true});
  mkdirSync(join(dir, 'pacemaker-bin'), {recursive: true});
  mkdirSync(join(dir, 'shared-state'), {recursive: true});
  for (const tool of ['crm_attribute', 'attrd_updater', 'crm_node', 'cibadmin', 'stonith_admin']) {
    symlinkSync(join(GUEST, 'fake-pacemaker'), join(dir, 'pacemaker-bin', tool));
  }
  symlinkSync(hacloud, join(dir, 'drbd'));
  const nodes = {ctl1: new SimNode('ctl1', dir, hacloud), ctl2: new SimNode('ctl2', dir, hacloud)};
  const handler = `${hacloud} drbd-split-brain --state-dir ${join(dir, 'shared-state')}`;
  const init = await exec(join(SIM_BIN, 'fake-drbd'), [
    'init', '--resource', RESOURCE, '--nodes', NODES.join(','), '--size-mib', '64', '--flavor', '8.4',
    '--after-sb-0pri', 'disconnect', '--after-sb-1pri', 'disconnect', '--after-sb-2pri', 'disconnect',
    '--handler', `split-brain=${handler}`, '--handler', `initial-split-brain=${handler}`,
  ], nodes.ctl1.env(), 60);
  if (init.code !== 0) throw new Error(`fake-drbd init: ${init.stderr}`);
  return {
    nodes,
    close: async () => {
      for (const n of NODES) await exec(join(SIM_BIN, 'drbdadm'), ['down', RESOURCE], nodes[n].env(), 60);
      await exec(join(SIM_BIN, 'fake-drbd'), ['teardown'], nodes.ctl1.env(), 60);
      rmSync(dir, {recursive: true, force: true});
    },
  };
}
