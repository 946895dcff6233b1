import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {createConnection, createServer, type Socket} from 'node:net';
import {join} from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {ADDRESS, type NodeName} from './config';
import type {GuestImage} from './image';

// One QEMU/TCG guest: its process, its serial log and the command channel
// (a virtio-serial port on a unix socket, protocol in guest/command-loop).

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Pending {
  resolve: (r: CommandResult) => void;
  reject: (e: Error) => void;
  started: number;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

// A TCP port free on 127.0.0.1 now (QEMU's socket netdev listens on it).
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Whether something listens on 127.0.0.1:port, from /proc/net/tcp: probing
// with connect() would become QEMU's one and only peer.
function listening(port: number): boolean {
  const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1] === want && f[3] === '0A';
    });
}

export class Guest {
  private proc: ChildProcess | undefined;
  private socket: Socket | undefined;
  private buffer = '';
  private nextId = 1;
  private pending = new Map<number, Pending>();
  readonly consoleLog: string;
  private readonly controlPath: string;

  constructor(
    readonly name: NodeName,
    private readonly runDir: string,
    private readonly image: GuestImage,
    private readonly link: {role: 'listen' | 'connect'; port: number},
    private readonly memoryMiB = 1024,
  ) {
    this.consoleLog = join(runDir, `${name}.console`);
    this.controlPath = join(runDir, `${name}.ctl`);
  }

  // Starts QEMU and connects to the command channel (commands queue until the guest's loop opens it).
  async start(): Promise<void> {
    const mac = `52:54:00:00:77:0${this.name === 'ctl1' ? 1 : 2}`;
    const args = [
      '-accel', 'tcg', '-nographic', '-monitor', 'none', '-no-reboot',
      '-m', String(this.memoryMiB), '-smp', '1',
      '-kernel', this.image.kernel, '-initrd', this.image.initrd,
      '-append', `console=ttyS0 quiet panic=-1 node=${this.name} addr=${ADDRESS[this.name]}`,
      '-drive', `file=${join(this.runDir, `${this.name}.img`)},if=virtio,format=raw,cache=unsafe`,
      '-netdev', `socket,id=n0,${this.link.role}=127.0.0.1:${this.link.port}`,
      '-device', `virtio-net-pci,netdev=n0,mac=${mac}`,
      '-chardev', `socket,id=ctl,path=${this.controlPath},server=on,wait=off`,
      '-device', 'virtio-serial-pci', '-device', 'virtserialport,chardev=ctl,name=ctl',
      '-serial', `file:${this.consoleLog}`,
    ];
    const proc = spawn('qemu-system-x86_64', args, {stdio: ['ignore', 'ignore', 'pipe']});
    this.proc = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code, signal) => {
      const error = new Error(`${this.name}: qemu exited (${code ?? signal}) ${stderr.trim()}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
    for (let i = 0; !existsSync(this.controlPath); i++) {
      if (proc.exitCode !== null || i > 200) throw new Error(`${this.name}: no control socket: ${stderr.trim()}`);
      await sleep(50);
    }
    this.socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(this.controlPath, () => resolve(s));
      s.once('error', reject);
    });
    this.socket.on('data', (d: Buffer) => this.receive(d.toString('latin1')));
  }

  // Resolves once QEMU listens for the peer link (the connecting guest needs it).
  async waitListening(): Promise<void> {
    for (let i = 0; !listening(this.link.port); i++) {
      if (this.proc?.exitCode !== null || i > 200) throw new Error(`${this.name}: not listening on ${this.link.port}`);
      await sleep(50);
    }
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const [tag, id, code, out, err] = line.split(' ');
      const waiting = tag === 'R' ? this.pending.get(Number(id)) : undefined;
      if (!waiting) continue;
      this.pending.delete(Number(id));
      waiting.resolve({code: Number(code), stdout: unb64(out), stderr: unb64(err), ms: Date.now() - waiting.started});
    }
  }

  // Runs argv in the guest (no shell); exit 124/143 is the guest-side timeout.
  run(argv: string[], timeoutSeconds = 120): Promise<CommandResult> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error(`${this.name}: not started`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${JSON.stringify(argv)} in ${timeoutSeconds + 60} s`));
      }, (timeoutSeconds + 60) * 1000);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
        started: Date.now(),
      });
      socket.write(`C ${id} ${timeoutSeconds} ${argv.map((a) => b64(`.${a}.`)).join(' ')}\n`);
    });
  }

  // Like run, but a non-zero exit throws with the guest's output.
  async must(argv: string[], timeoutSeconds = 120): Promise<string> {
    const r = await this.run(argv, timeoutSeconds);
    if (r.code !== 0) throw new Error(`${this.name}: ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  async stop(): Promise<void> {
    this.socket?.destroy();
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) {
      proc.kill('SIGKILL');
      await exited;
    }
  }
}
