// `make lab`: the two-node lab with the whole controller example
// (packaging/examples/controller.crm: MariaDB on DRBD, RabbitMQ, keystone and
// the other OpenStack services) running, kept up by a background process (the lab daemon holds the nodes: they stop when
// it ends) until `make lab-down`.
//   node dist/lab/lab.cjs up | status | shell NODE [CMD...] | poweroff|poweron|reboot NODE | down
import {spawn} from 'node:child_process';
import {closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {listNetns} from '../helpers/netns';
import {sleep} from '../helpers/wait';
import {formatStatus, parseCrmMon} from './crm-mon';
import {CONTROLLER, CONTROLLER_STACK, controllerData, controllerExtension, createControllerFiles, KEYSTONE_URL, type ControllerFiles,
  AMQP_PORT, SERVICES} from './controller-setup';
import {CLIENT_ADDRESS, type Lab} from './lab';
import {createStackFiles, prepareData, type SimNode, stackFailure, stackNode, type StackFiles, startStackLab, VIP} from './mysql-stack-setup';

const STATE_DIR = '/run/hacloud-lab';
const STATE = path.join(STATE_DIR, 'state.json');
const PIDFILE = path.join(STATE_DIR, 'daemon.pid');
const LOG = path.join(STATE_DIR, 'daemon.log');
// keystone's admin credentials as OS_* variables (mode 0600).
const OPENRC = path.join(STATE_DIR, 'admin-openrc');
const NODES: readonly SimNode[] = ['ctl1', 'ctl2'];

interface LabState {
  ready: boolean;
  error?: string;
  root: string;
  ctl: string;
  switchNs: string;
  nodes: {name: string; address: string; netns: string; initPid: number | null}[];
}

async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'up': return up();
    case 'daemon': return daemon();
    case 'status': return status();
    case 'shell': return shell(rest);
    case 'poweroff': case 'poweron': case 'reboot': return power(command, rest[0]);
    case 'down': return down();
    default:
      process.stdout.write('usage: lab up | status | shell NODE [CMD...] | poweroff NODE | poweron NODE | reboot NODE | down\n');
      return command === 'help' ? 0 : 2;
  }
}

function daemonPid(): number | undefined {
  try {
    const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function readState(): LabState | undefined {
  try {
    return JSON.parse(readFileSync(STATE, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

async function up(): Promise<number> {
  if (daemonPid() === undefined) {
    mkdirSync(STATE_DIR, {recursive: true});
    rmSync(STATE, {force: true});
    const log = openSync(LOG, 'w');
    const child = spawn(process.execPath, [process.argv[1] as string, 'daemon'], {detached: true, stdio: ['ignore', log, log]});
    closeSync(log);
    writeFileSync(PIDFILE, `${child.pid}\n`);
    child.unref();
    process.stdout.write(`lab: starting (log: ${LOG}); preparing DRBD, MariaDB and the OpenStack databases takes a few minutes\n`);
  }
  for (let waited = 0; waited < 900; waited++) {
    const state = readState();
    if (state?.error) {
      process.stderr.write(`lab: failed: ${state.error}\n--- ${LOG}\n${tail(LOG, 30)}\n`);
      return 1;
    }
    if (state?.ready) break;
    if (daemonPid() === undefined) {
      process.stderr.write(`lab: the lab daemon exited\n--- ${LOG}\n${tail(LOG, 30)}\n`);
      return 1;
    }
    await sleep(1000);
  }
  const state = readState();
  if (!state?.ready) {
    process.stderr.write('lab: not ready after 15 minutes; `make lab-down` stops it\n');
    return 1;
  }
  await status();
  const [first] = state.nodes;
  process.stdout.write([
    '',
    `VIP ${VIP}: MariaDB on DRBD (3306), RabbitMQ (${AMQP_PORT}) and the OpenStack APIs; the lab network is 203.0.113.0/24, clients sit in netns ${state.switchNs} (${CLIENT_ADDRESS}).`,
    `Keystone:          ${KEYSTONE_URL}   (admin's credentials: ${OPENRC}, mode 0600)`,
    `The other APIs:    ${Object.entries(SERVICES).filter(([name, port]) => name !== 'keystone' && port > 0).map(([name, port]) => `${name} :${port}`).join(', ')}`,
    `Log into a node:   node dist/lab/lab.cjs shell ${first?.name ?? 'ctl1'}     (nsenter into its namespaces)`,
    `A client:          ip netns exec ${state.switchNs} mariadb -h ${VIP} ...`,
    'Fail a node over:  node dist/lab/lab.cjs poweroff ctl1   (a hard power-off; fencing reboots it)',
    'Stop the lab:      make lab-down',
    '',
  ].join('\n'));
  return 0;
}

// The lab itself: runs until SIGTERM, then stops everything it started.
async function daemon(): Promise<number> {
  let lab: Lab | undefined;
  let files: StackFiles | undefined;
  let controller: ControllerFiles | undefined;
  let stopping = false;
  const writeState = (extra: Partial<LabState>): void => {
    if (!lab) return;
    const l = lab;
    const state: LabState = {
      ready: false, root: l.root, ctl: path.join(l.root, 'ctl'), switchNs: l.switchNs,
      nodes: l.nodes.map((n) => ({name: n, address: l.address(n), netns: l.netns(n), initPid: l.initPid(n) ?? null})),
      ...extra,
    };
    writeFileSync(`${STATE}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${STATE}.tmp`, STATE);
  };
  const finish = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping');
    try {
      await lab?.stop();
    } finally {
      await files?.cleanup();
      rmSync(STATE, {force: true});
      rmSync(OPENRC, {force: true});
      rmSync(PIDFILE, {force: true});
      log('stopped');
    }
  };
  const ended = new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { finish().finally(resolve); });
  });
  try {
    log('preparing the simulated DRBD pair, MariaDB and the OpenStack databases');
    files = await createStackFiles();
    controller = createControllerFiles(files);
    await prepareData(files, controllerData(controller));
    writeFileSync(OPENRC, openrc(controller), {mode: 0o600});
    log('starting ctl1 and ctl2');
    // A fenced node boots again after a minute (see lab-controller.test.ts).
    lab = await startStackLab(files, {nodes: NODES, extend: controllerExtension(files, controller), rebootDelayMs: 60_000});
    log(`loading ${CONTROLLER}`);
    await lab.configure(readFileSync(CONTROLLER, 'utf8'));
    await lab.waitFor((s) => stackNode(s, CONTROLLER_STACK) !== undefined, {what: 'the whole controller running', timeoutMs: 600_000,
      intervalMs: 2000, failIf: (s) => stackFailure(s, CONTROLLER_STACK)});
    writeState({ready: true});
    log('ready');
    // Node PIDs change when a node is powered off and on again.
    const refresh = setInterval(() => { if (!stopping) writeState({ready: true}); }, 2000);
    await ended;
    clearInterval(refresh);
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`failed: ${message}`);
    writeState({error: message.split('\n')[0]});
    await finish().catch((e: unknown) => log(String(e)));
    writeFileSync(STATE, JSON.stringify({ready: false, error: message.split('\n')[0]}));
    return 1;
  }
}

async function status(): Promise<number> {
  const state = readState();
  if (!state?.ready) {
    process.stdout.write('lab: not running\n');
    return 3;
  }
  for (const node of state.nodes) {
    if (node.initPid === null) continue;
    const r = await run(['nsenter', '-t', String(node.initPid), '-m', '-u', '-n', '-p', '--', 'crm_mon', '--output-as=xml', '--inactive']);
    if (r.code !== 0) continue;
    process.stdout.write(`${formatStatus(parseCrmMon(r.stdout))}\n`);
    return 0;
  }
  process.stdout.write('lab: no node answers\n');
  return 1;
}

async function shell(args: string[]): Promise<number> {
  const [name, ...command] = args;
  const node = readState()?.nodes.find((n) => n.name === name);
  if (!node?.initPid) {
    process.stderr.write(`lab: no running node ${name ?? ''} (nodes: ${NODES.join(', ')})\n`);
    return 2;
  }
  const argv = command.length > 0 ? command : ['bash', '-l'];
  const child = spawn('nsenter', ['-t', String(node.initPid), '-m', '-u', '-n', '-p', '--wd=/', '--', ...argv], {stdio: 'inherit'});
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

// The same request a fence device makes, through the lab's power switch.
async function power(action: string, name: string | undefined): Promise<number> {
  const state = readState();
  if (!state?.ready || !name || !state.nodes.some((n) => n.name === name)) {
    process.stderr.write(`lab: usage: ${action} ${NODES.join('|')} (lab running: ${state?.ready ? 'yes' : 'no'})\n`);
    return 2;
  }
  const id = `cli-${Date.now()}-${process.pid}`;
  const req = path.join(state.ctl, 'req', id);
  writeFileSync(`${req}.tmp`, `${action === 'poweroff' ? 'off' : action === 'poweron' ? 'on' : 'reboot'} ${name}\n`);
  renameSync(`${req}.tmp`, `${req}.req`);
  for (let i = 0; i < 600; i++) {
    if (existsSync(`${req}.done`)) {
      const rc = Number(readFileSync(`${req}.done`, 'utf8').trim());
      rmSync(`${req}.done`);
      process.stdout.write(`lab: ${action} ${name}: ${rc === 0 ? 'done' : 'failed'}\n`);
      return rc;
    }
    await sleep(100);
  }
  process.stderr.write(`lab: ${action} ${name}: no answer from the lab's power switch\n`);
  return 1;
}

async function down(): Promise<number> {
  const pid = daemonPid();
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 1800 && daemonPid() !== undefined; i++) await sleep(100);
    if (daemonPid() !== undefined) {
      process.stderr.write(`lab: the lab daemon ${pid} did not stop in 3 minutes\n`);
      return 1;
    }
  }
  // What the lab may leave behind if its daemon was killed: check, and say so.
  const left = (await listNetns()).filter((n) => /^hct-l(sw|n\d)-/.test(n));
  const dirs = readdirSync('/var/tmp').filter((d) => d.startsWith('hct-lab-'));
  rmSync(STATE_DIR, {recursive: true, force: true});
  if (left.length > 0 || dirs.length > 0) {
    process.stderr.write(`lab: left behind: ${[...left.map((n) => `netns ${n}`), ...dirs.map((d) => `/var/tmp/${d}`)].join(', ')}\n`);
    return 1;
  }
  process.stdout.write('lab: down; nothing of it is left (no namespace, process or directory)\n');
  return 0;
}

// keystone's admin as the OpenStack clients read it (source it).
function openrc(c: ControllerFiles): string {
  return ['OS_AUTH_URL', KEYSTONE_URL, 'OS_IDENTITY_API_VERSION', '3', 'OS_USERNAME', 'admin', 'OS_PASSWORD', c.adminPassword,
    'OS_PROJECT_NAME', 'admin', 'OS_USER_DOMAIN_NAME', 'Default', 'OS_PROJECT_DOMAIN_NAME', 'Default']
    .flatMap((v, i, all) => (i % 2 === 0 ? [`export ${v}='${all[i + 1]}'\n`] : [])).join('');
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function run(argv: string[]): Promise<{code: number; stdout: string}> {
  return new Promise((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), {stdio: ['ignore', 'pipe', 'ignore'], env: {...process.env, LC_ALL: 'C'}});
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.on('exit', (code) => resolve({code: code ?? 1, stdout}));
    child.on('error', () => resolve({code: 127, stdout}));
  });
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`lab: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
