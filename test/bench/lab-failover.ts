// Benchmark: failover time of the database stack in the two-node lab, with
// real fencing. For each side a fresh lab runs the same DRBD promotable clone
// (the hacloud drbd agent on the simulator) and a group fs → vip → mysql
// made of either hacloud's agents (packaging/examples/mysql-on-drbd.crm
// without the backup schedule) or resource-agents' ocf:heartbeat:Filesystem,
// IPaddr2 and mysql. Each run powers off the node holding the Promoted DRBD
// and measures, from the power-off, (a) the VIP answering a ping from the lab
// network and (b) MariaDB accepting an INSERT through the VIP; medians over
// BENCH_FAILOVER_RUNS runs (default 3) per side. Then (c), hacloud only: a
// third lab runs the whole controller (packaging/examples/controller.crm,
// keystone on MariaDB through the VIP) and each run also measures keystone
// issuing a token through the VIP. BENCH_FAILOVER_SIDES picks the labs
// (e.g. "hacloud controller"). Each run's timeline (peer lost, fencing
// confirmed, each action on the survivor) is read from the survivor's
// pacemaker.log: where the time goes. Not a test: prints figures and ratios.
// Built by test/cluster/build-lab.mjs into dist/lab/lab-failover.cjs.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {keystoneToken} from '../cluster/controller-client';
import {CONTROLLER, CONTROLLER_STACK, controllerData, controllerExtension, createControllerFiles} from '../cluster/controller-setup';
import {resourcesById, type ClusterStatus} from '../cluster/crm-mon';
import type {Lab} from '../cluster/lab';
import {appSql, createStackFiles, EXAMPLE, prepareData, type SimNode, stackNode, type StackFiles, startStackLab, VIP} from '../cluster/mysql-stack-setup';
import {sleep, waitUntil} from '../helpers/wait';
import {failoverSteps, median, medianSteps, type Step} from './failover-timeline';

const RUNS = Number(process.env.BENCH_FAILOVER_RUNS ?? 3);
// Which labs to run (comma-separated; default all three).
const SIDES = (process.env.BENCH_FAILOVER_SIDES ?? 'resource-agents,hacloud,hacloud controller').split(',').map((x) => x.trim());
const NODES: readonly SimNode[] = ['ctl1', 'ctl2'];
const GROUP = ['fs_mysql', 'vip_db', 'mysql'];

// The example's statements by id (a statement runs from a line starting at
// column 0 through its backslash continuations).
function statements(text: string): Map<string, string> {
  const found = new Map<string, string>();
  let current: string[] = [];
  const flush = (): void => {
    if (current.length === 0) return;
    const [kind = '', id = ''] = (current[0] as string).split(/\s+/);
    found.set(kind === 'rsc_defaults' ? 'rsc_defaults' : id, current.join('\n'));
    current = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') {
      flush();
      continue;
    }
    if (/^\S/.test(line) && !(current.at(-1) ?? '').endsWith('\\')) flush();
    current.push(line);
  }
  flush();
  return found;
}

function configs(monitorPassword: string): Record<'hacloud' | 'resource-agents', string> {
  const example = statements(readFileSync(EXAMPLE, 'utf8'));
  const pick = (ids: string[]): string => ids.map((id) => {
    const s = example.get(id);
    if (!s) throw new Error(`the example has no ${id}`);
    return s;
  }).join('\n');
  const shared = pick(['drbd_r0', 'ms_drbd_r0', 'g_mysql', 'col_mysql_on_drbd_primary', 'ord_drbd_promote_before_mysql', 'rsc_defaults']);
  const heartbeat = [
    'primitive fs_mysql ocf:heartbeat:Filesystem params device=/dev/drbd0 directory=/var/lib/mysql fstype=ext4 options=noatime \\',
    '\top start timeout=60s interval=0s op stop timeout=60s interval=0s op monitor interval=20s timeout=40s',
    `primitive vip_db ocf:heartbeat:IPaddr2 params ip=${VIP} cidr_netmask=24 \\`,
    '\top start timeout=20s interval=0s op stop timeout=20s interval=0s op monitor interval=10s timeout=20s',
    'primitive mysql ocf:heartbeat:mysql params binary=/usr/bin/mysqld_safe client_binary=/usr/bin/mariadb config=/etc/mysql/my.cnf \\',
    `\tdatadir=/var/lib/mysql log=/var/log/mysqld-heartbeat.log user=mysql group=mysql additional_parameters="--bind-address=${VIP}" test_user=hacloud_monitor test_passwd=${monitorPassword} \\`,
    '\top start timeout=120s interval=0s op stop timeout=120s interval=0s op monitor interval=20s timeout=30s',
  ].join('\n');
  return {
    hacloud: `${pick(['fs_mysql', 'vip_db', 'mysql'])}\n${shared}\n`,
    'resource-agents': `${heartbeat}\n${shared}\n`,
  };
}

const groupNode = (s: ClusterStatus): string | undefined => stackNode(s, GROUP);

// What a signal must tear down: the lab of the side being measured and its simulator (loop devices).
let current: {lab?: Lab; files?: StackFiles} = {};

type Side = 'hacloud' | 'resource-agents' | 'hacloud controller';
interface Times {
  vip: number[];
  write: number[];
  token: number[];
  steps: Step[][];
}

async function side(name: Side): Promise<Times> {
  let files: StackFiles | undefined;
  let lab: Lab | undefined;
  current = {};
  const result: Times = {vip: [], write: [], token: [], steps: []};
  const whole = name === 'hacloud controller';
  const running = (st: ClusterStatus): string | undefined => (whole ? stackNode(st, CONTROLLER_STACK) : groupNode(st));
  try {
    files = await createStackFiles();
    current.files = files;
    const controller = whole ? createControllerFiles(files) : undefined;
    await prepareData(files, controller ? controllerData(controller) : {});
    const stack = files;
    // The whole controller: a fenced node boots after a minute (see lab-controller.test.ts).
    lab = await startStackLab(files, {nodes: NODES, ...(controller ? {extend: controllerExtension(files, controller), rebootDelayMs: 60_000} : {})});
    current.lab = lab;
    const l = lab;
    await lab.configure(controller ? readFileSync(CONTROLLER, 'utf8') : configs(files.monitorPassword)[name as 'hacloud' | 'resource-agents']);
    const sql = (statement: string) => l.client(appSql(stack, statement), {timeoutMs: 10_000});
    let id = 0;
    for (let run = 1; run <= RUNS; run++) {
      const s = await lab.waitFor((st) => running(st) !== undefined, {what: `${name}: the stack running`, timeoutMs: 600_000, intervalMs: 2000});
      await waitUntil(async () => (await sql(`INSERT INTO acked (id) VALUES (${++id})`)).exitCode === 0, {what: 'a write', timeoutMs: 60_000});
      const victim = running(s) as string;
      const t0 = Date.now();
      await lab.powerOff(victim);
      let vipAt = 0;
      let writeAt = 0;
      let tokenAt = controller ? 0 : t0;
      while ((writeAt === 0 || tokenAt === 0) && Date.now() - t0 < 300_000) {
        if (vipAt === 0 && (await l.client(['ping', '-c', '1', '-W', '1', VIP])).exitCode === 0) vipAt = Date.now();
        if (vipAt !== 0 && writeAt === 0 && (await sql(`INSERT INTO acked (id) VALUES (${++id})`)).exitCode === 0) writeAt = Date.now();
        if (controller && writeAt !== 0 && tokenAt === 0 && (await keystoneToken(l, controller)).status === 201) tokenAt = Date.now();
        if (writeAt === 0 || tokenAt === 0) await sleep(100);
      }
      if (writeAt === 0 || tokenAt === 0) throw new Error(`${name}: no write or token 300 s after the power-off\n${await lab.diagnostics()}`);
      result.vip.push(vipAt - t0);
      result.write.push(writeAt - t0);
      if (controller) result.token.push(tokenAt - t0);
      console.log(`${name} run ${run}: ${victim} powered off; VIP answering after ${vipAt - t0} ms, a write after ${writeAt - t0} ms`
        + `${controller ? `, a token after ${tokenAt - t0} ms` : ''}`);
      // The fenced node boots again and becomes the Unpromoted side before the next run.
      await lab.waitFor((st) => resourcesById(st, 'drbd_r0').some((r) => r.role === 'Unpromoted' && r.nodes.includes(victim)),
        {what: `${victim} back`, timeoutMs: 240_000});
      // Read now: the last start's result may be logged after the first write went through.
      const survivor = NODES.find((n) => n !== victim) as string;
      const log = readFileSync(join(lab.root, 'nodes', survivor, 'var/log/pacemaker/pacemaker.log'), 'utf8');
      const steps = failoverSteps(log, t0, survivor, victim, ['drbd_r0', ...GROUP]);
      result.steps.push(steps);
      console.log(steps.map((step) => `  ${String(step.at).padStart(6)} ms  ${step.label}`).join('\n'));
    }
  } finally {
    await lab?.stop();
    await files?.cleanup();
  }
  return result;
}

async function main(): Promise<void> {
  console.log(`lab failover: two nodes, corosync token 1000 ms, fence_hacloud_lab; ${RUNS} runs per side; times from the power-off`);
  const none: Times = {vip: [], write: [], token: [], steps: []};
  const theirs = SIDES.includes('resource-agents') ? await side('resource-agents') : none;
  const ours = SIDES.includes('hacloud') ? await side('hacloud') : none;
  const whole = SIDES.includes('hacloud controller') ? await side('hacloud controller') : none;
  console.log('\nmedian ms          resource-agents   hacloud   ratio   hacloud (whole controller)');
  for (const [label, key] of [['VIP answering', 'vip'], ['write via VIP', 'write']] as const) {
    const t = median(theirs[key]);
    const o = median(ours[key]);
    console.log(`${label.padEnd(18)} ${String(t).padStart(15)} ${String(o).padStart(9)} ${(o / t).toFixed(2).padStart(7)} ${String(median(whole[key])).padStart(12)}`);
  }
  console.log(`${'keystone token'.padEnd(18)} ${'-'.padStart(15)} ${'-'.padStart(9)} ${'-'.padStart(7)} ${String(median(whole.token)).padStart(12)}`);
  console.log('\nmedian timeline, ms from the power-off (survivor\'s pacemaker.log)');
  const mine = new Map(medianSteps(ours.steps).map((step) => [step.label, step.at]));
  for (const step of medianSteps(theirs.steps)) {
    console.log(`${step.label.padEnd(28)} ${String(step.at).padStart(8)} ${String(mine.get(step.label) ?? '-').padStart(9)}`);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`lab failover: ${signal}: stopping the lab`);
    const {lab, files} = current;
    (lab ? lab.stop() : Promise.resolve()).catch(() => undefined).then(() => files?.cleanup()).finally(() => process.exit(130));
  });
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
