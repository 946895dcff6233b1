// One test cluster node as a process tree: node-init.sh as PID 1 of its own
// mount, UTS and PID namespaces inside an existing network namespace.
// Starting, running commands inside, stopping (TERM, then KILL) and checking
// that nothing of the node is left.
import {execa} from 'execa';
import {existsSync, readdirSync, readFileSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {sleep} from '../helpers/wait';

const INIT_SCRIPT = path.join(__dirname, 'node-init.sh');

/** Result of a command run inside a node. */
export interface ExecResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when the command was killed by its timeout. */
  timedOut: boolean;
}

export interface ExecOptions {
  /** Kill the command after this long (default 60 s); `timeout` runs inside the node. */
  timeoutMs?: number;
  /** Throw on a non-zero exit (default true). */
  reject?: boolean;
  /** Text for stdin. */
  input?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/** A running node; see startNode. */
export interface ClusterNode {
  readonly name: string;
  readonly netns: string;
  /** Host directory holding the node's etc/, var/, tmp/ and init.log. */
  readonly root: string;
  /** Host PID of node-init.sh (PID 1 inside the node). */
  readonly initPid: number;
  /** Whether the node's PID namespace still exists. */
  alive(): boolean;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Last lines of the node's pacemaker, corosync or init log. */
  logTail(which: 'pacemaker' | 'corosync' | 'init', lines?: number): string;
  /** TERM to init (pacemakerd, then corosync stop), KILL after graceMs; resolves when every process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Hard power-off: SIGKILL to init, which kills the whole PID namespace at once (the netns keeps its addresses). */
  kill(): Promise<void>;
}

// Starts node-init.sh in new mount/UTS/PID namespaces inside `netns`
// (nsenter joins the netns first: `unshare --net=FILE` would create a new one).
// `root` must already hold etc/hosts and etc/corosync/corosync.conf.
export async function startNode({name, netns, root}: {name: string; netns: string; root: string}): Promise<ClusterNode> {
  // If this process dies, init sees EOF on its stdin (we hold the only write end)
  // and stops the node; --kill-child also sends init SIGTERM if unshare is killed.
  const child = execa('nsenter', [`--net=/run/netns/${netns}`, '--',
    'unshare', '--mount', '--uts', '--pid', '--fork', '--mount-proc', '--kill-child=SIGTERM',
    INIT_SCRIPT, root, name], {stdin: 'pipe', stdout: 'ignore', stderr: 'pipe', reject: false}); // init logs to ROOT/init.log itself
  let exited = false;
  const done = child.then(() => { exited = true; });
  const unsharePid = child.pid;
  if (unsharePid === undefined) throw new Error(`node ${name}: nsenter did not start`);

  let initPid = 0;
  for (let i = 0; i < 100 && !exited && initPid === 0; i++) {
    initPid = firstChild(unsharePid);
    if (initPid === 0) await sleep(50);
  }
  if (initPid === 0) {
    child.kill('SIGKILL');
    const r = await child;
    throw new Error(`node ${name}: init did not start: ${String(r.stderr).trim()}\n${tail(path.join(root, 'init.log'), 20)}`);
  }
  let pidNs: string;
  try {
    pidNs = nsId(initPid);
  } catch {
    await done;
    throw new Error(`node ${name}: init exited at once\n${tail(path.join(root, 'init.log'), 20)}`);
  }

  // Resolves true once unshare has exited (the whole PID namespace is reaped), false after ms.
  const waitExit = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
    return exited;
  };

  const logTail = (which: 'pacemaker' | 'corosync' | 'init', lines = 40): string => tail(path.join(root, {
    pacemaker: 'var/log/pacemaker/pacemaker.log',
    corosync: 'var/log/corosync/corosync.log',
    init: 'init.log',
  }[which]), lines);

  const exec = async (argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> => {
    if (argv.length === 0) throw new TypeError('exec: empty argv');
    const command = `${name}$ ${argv.join(' ')}`;
    if (exited) throw new Error(`${command}: node ${name} is not running\n${logTail('init', 10)}`);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const r = await execa('nsenter', ['-t', String(initPid), '-m', '-u', '-n', '-p', '--wd=/', '--',
      'timeout', '-k', '5', `${Math.ceil(timeoutMs / 1000)}s`, ...argv], {
      reject: false,
      timeout: timeoutMs + 15_000, // backstop; `timeout` inside the node normally fires first
      env: {HOME: '/tmp', LC_ALL: 'C.UTF-8', ...opts.env},
      ...(opts.input === undefined ? {stdin: 'ignore' as const} : {input: opts.input}),
    });
    const exitCode = r.exitCode ?? -1;
    const result: ExecResult = {
      command, exitCode, stdout: String(r.stdout), stderr: String(r.stderr),
      timedOut: r.timedOut || exitCode === 124 || exitCode === 137,
    };
    if (exitCode !== 0 && (opts.reject ?? true)) {
      throw new Error(`${command}: ${result.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${exitCode}`}`
        + `${result.stderr ? `\nstderr: ${plain(result.stderr)}` : ''}`
        + `${result.stdout ? `\nstdout: ${plain(result.stdout).slice(-2000)}` : ''}`);
    }
    return result;
  };

  const finish = async (): Promise<void> => {
    child.stdin?.destroy();
    // Nothing can outlive init in its PID namespace; check anyway (and kill) so a leak is loud.
    const left = processesInPidns(pidNs);
    if (left.length > 0) {
      for (const p of left) killQuietly(p.pid, 'SIGKILL');
      await sleep(500);
      throw new Error(`node ${name}: processes left after stop: ${left.map((p) => `${p.pid} ${p.comm}`).join(', ')}`);
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 60_000): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        killQuietly(initPid, 'SIGTERM');
        if (!(await waitExit(graceMs))) {
          killQuietly(initPid, 'SIGKILL');
          if (!(await waitExit(15_000))) throw new Error(`node ${name}: init ${initPid} survived SIGKILL for 15 s`);
        }
      }
      await finish();
    })();
    return stopping;
  };

  const kill = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        killQuietly(initPid, 'SIGKILL');
        if (!(await waitExit(15_000))) throw new Error(`node ${name}: init ${initPid} survived SIGKILL for 15 s`);
      }
      await finish();
    })();
    return stopping;
  };

  return {name, netns, root, initPid, alive: () => !exited, exec, logTail, stop, kill};
}

// Host processes inside a PID namespace (id as read from /proc/PID/ns/pid).
export function processesInPidns(pidNs: string): Array<{pid: number; comm: string}> {
  const found: Array<{pid: number; comm: string}> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if (nsId(pid) === pidNs) {
        found.push({pid, comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim()});
      }
    } catch { /* exited meanwhile */ }
  }
  return found;
}

function nsId(pid: number): string {
  return readlinkSync(`/proc/${pid}/ns/pid`);
}

function firstChild(pid: number): number {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : 0;
  } catch {
    return 0;
  }
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return `(${file}: missing)`;
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return `--- last ${Math.min(lines, all.length)} lines of ${file}\n${all.slice(-lines).join('\n')}`;
}

// Without colour codes (crmsh colours its messages even into a pipe).
function plain(s: string): string {
  return s.replace(/\x1b\[[0-9;]*m/g, '').trim();
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(pid, signal); } catch { /* already gone */ }
}
