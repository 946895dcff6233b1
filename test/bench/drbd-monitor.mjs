// Benchmark: the installed hacloud drbd monitor against ocf:linbit:drbd's on
// the same simulated resource (test/drbd-sim) in the same run, interleaved:
// a connected Secondary and a connected Primary, DRBD 9 and 8.4 flavours.
// LINBIT's agent runs as a patched copy (its `test -f /proc/drbd` tests the
// simulator's rendering instead). Needs root (loop devices). Prints medians
// and ratios; not a test.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {basename, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {measure, report, RUNS} from './measure.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const simBin = join(here, '../../dist/drbd-sim/bin');
const LINBIT_DIR = '/usr/lib/ocf/resource.d/linbit';
const HACLOUD = '/usr/lib/ocf/resource.d/hacloud/drbd';
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const LINBIT = 'ocf:linbit:drbd monitor';
const OURS = 'hacloud drbd monitor';
const FLOOR = 'hacloud version (its start-up)';

if (process.getuid?.() !== 0) throw new Error('drbd-monitor bench: needs root (the simulator backs each node with a loop device)');





const work = mkdtempSync('/var/tmp/hacloud-bench-drbd-');
const procDrbd = join(work, 'proc-drbd'); // what the patched agent tests instead of /proc/drbd
const linbitAgent = join(work, 'linbit', 'drbd');
const stubDir = join(work, 'attr-stub');
const sims = []; // simulator state directories to tear down
const simCommands = {}; // label -> the simulated drbd-utils call an agent made, to measure on its own

// LINBIT's agent and its shell functions side by side (it sources
// drbd.shellfuncs.sh from its own directory, ocf-shellfuncs from OCF_ROOT);
// only the module test changes.
function copyLinbitAgent() {
  mkdirSync(join(work, 'linbit'));
  copyFileSync(join(LINBIT_DIR, 'drbd.shellfuncs.sh'), join(work, 'linbit', 'drbd.shellfuncs.sh'));
  const text = readFileSync(join(LINBIT_DIR, 'drbd'), 'utf8');
  const original = '\ttest -f /proc/drbd\n';
  if (text.split(original).length !== 2) throw new Error(`${LINBIT_DIR}/drbd: expected exactly one "test -f /proc/drbd"`);
  writeFileSync(linbitAgent, text.replace(original, `\ttest -f ${procDrbd}\n`));
  chmodSync(linbitAgent, 0o755);
}

// An attrd/CIB that accepts every update: crm_attribute that exits 0.
function writeAttributeStub() {
  mkdirSync(stubDir);
  writeFileSync(join(stubDir, 'crm_attribute'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(stubDir, 'crm_attribute'), 0o755);
}

const crmFeatureSet = () => {
  const result = spawnSync('pacemakerd', ['--features'], {encoding: 'utf8'});
  return /Supporting v(\d+\.\d+\.\d+)/.exec(result.stdout ?? '')?.[1] ?? '3.16.1';
};
const FEATURE_SET = crmFeatureSet();

const simEnv = (state, node) => ({PATH: `${simBin}:${SYSTEM_PATH}`, FAKE_DRBD_NODE: node, FAKE_DRBD_STATE: state});
const sim = (state, node, tool, ...args) =>
  execFileSync(join(simBin, tool), args, {env: simEnv(state, node), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8'});

// What Pacemaker passes a recurring monitor of a promotable clone with
// notify=true (plus the simulator's two variables). The same for both agents.
const agentEnv = (state, rsctmp, {stub = false} = {}) => ({
  PATH: `${stub ? `${stubDir}:` : ''}${simBin}:${SYSTEM_PATH}`,
  FAKE_DRBD_NODE: 'ctl1',
  FAKE_DRBD_STATE: state,
  HA_RSCTMP: rsctmp,
  OCF_ROOT: '/usr/lib/ocf',
  OCF_RESOURCE_INSTANCE: 'p_drbd_r0',
  OCF_RESOURCE_TYPE: 'drbd',
  OCF_RESKEY_drbd_resource: 'r0',
  OCF_RESKEY_drbdconf: join(state, 'drbd.conf'),
  OCF_RESKEY_state_dir: join(rsctmp, 'state'),
  OCF_RESKEY_crm_feature_set: FEATURE_SET,
  OCF_RESKEY_CRM_meta_name: 'monitor',
  OCF_RESKEY_CRM_meta_interval: '20000',
  OCF_RESKEY_CRM_meta_timeout: '20000',
  OCF_RESKEY_CRM_meta_on_node: 'ctl1',
  OCF_RESKEY_CRM_meta_on_node_uuid: '1',
  OCF_RESKEY_CRM_meta_clone: '0',
  OCF_RESKEY_CRM_meta_clone_max: '2',
  OCF_RESKEY_CRM_meta_clone_node_max: '1',
  OCF_RESKEY_CRM_meta_master_max: '1',
  OCF_RESKEY_CRM_meta_promoted_max: '1',
  OCF_RESKEY_CRM_meta_master_node_max: '1',
  OCF_RESKEY_CRM_meta_promoted_node_max: '1',
  OCF_RESKEY_CRM_meta_globally_unique: 'false',
  OCF_RESKEY_CRM_meta_notify: 'true',
});

const hasStrace = spawnSync('strace', ['-V'], {stdio: 'ignore'}).status === 0;

// Every successful execve of one monitor: [{path, argv}], in order.
function traceExecs(argv, env, tag) {
  const dir = join(work, `strace-${tag}`);
  mkdirSync(dir);
  spawnSync('strace', ['-f', '-ff', '-qq', '-s', '4096', '-e', 'trace=execve', '-o', join(dir, 't'), ...argv], {env, stdio: 'ignore'});
  const execs = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const m = /^execve\("([^"]*)", \[(.*)\], (?:0x[0-9a-f]+|\[.*\])(?: \/\* \d+ vars? \*\/)?\) = 0$/.exec(line);
      if (!m) continue;
      let args;
      try {
        args = JSON.parse(`[${m[2]}]`);
      } catch {
        args = [m[2]];
      }
      execs.push({pid: Number(file.split('.').pop()), path: m[1], argv: args});
    }
  }
  rmSync(dir, {recursive: true, force: true});
  return execs.sort((a, b) => a.pid - b.pid);
}

const countNames = (execs) => {
  const counts = new Map();
  for (const e of execs) counts.set(basename(e.path), (counts.get(basename(e.path)) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name}×${n}` : name)).join(' ');
};

// One case: check both agents agree on the exit code, list what each one
// executes, then measure them interleaved with the simulator commands they run.
function runCase(title, state, {expect, stub = false, tag}) {
  const rsctmp = join(work, `rsc-${tag}`); // fresh: hacloud's score cache must not leak between cases
  mkdirSync(rsctmp);
  const env = agentEnv(state, rsctmp, {stub});
  const agents = {[LINBIT]: [linbitAgent, 'monitor'], [OURS]: [HACLOUD, 'monitor']};
  const seen = Object.entries(agents).map(([name, argv]) => {
    const r = spawnSync(argv[0], argv.slice(1), {env, encoding: 'utf8'});
    return {name, rc: r.status, stderr: r.stderr};
  });
  console.log(`\n== ${title}`);
  console.log(`exit codes before measuring: ${seen.map((s) => `${s.name.split(' ')[0]} ${s.rc}`).join(', ')} (expected ${expect})`);
  for (const s of seen) {
    if (s.rc !== expect) throw new Error(`${s.name}: exit ${s.rc}, expected ${expect}\n${s.stderr}`);
  }

  const simCalls = {};
  if (hasStrace) {
    for (const [name, argv] of Object.entries(agents)) {
      const execs = traceExecs(argv, env, `${tag}-${name.split(' ')[0]}`);
      const calls = execs.filter((e) => e.path.startsWith(`${simBin}/`));
      const label = (c) => `sim: ${[basename(c.path), ...c.argv.slice(1)].join(' ').replaceAll(state, '<state>')}`;
      simCalls[name] = calls.map(label);
      console.log(`${name}: ${execs.length} execve — ${countNames(execs)}`);
      console.log(`  drbd-utils calls (simulated): ${calls.map((c) => label(c).slice(5)).join(' | ') || 'none'}`);
      for (const c of calls) simCommands[label(c)] = {argv: [c.path, ...c.argv.slice(1)], env};
    }
  }
  const simRows = Object.fromEntries(
    [...new Set(Object.values(simCalls).flat())].map((label) => [label, simCommands[label]]),
  );
  const rows = report(
    title,
    measure({
      [LINBIT]: {argv: agents[LINBIT], env},
      [OURS]: {argv: agents[OURS], env},
      [FLOOR]: {argv: ['/usr/lib/hacloud/hacloud', 'version'], env: {}},
      ...simRows,
    }),
    LINBIT,
    {width: 50},
  );
  const ratio = rows[OURS].cpu / rows[LINBIT].cpu;
  console.log(`hacloud / linbit: cpu ${ratio.toFixed(2)}× (linbit uses ${(1 / ratio).toFixed(2)}× ours), wall ${(rows[OURS].wall / rows[LINBIT].wall).toFixed(2)}×`);
  if (hasStrace) {
    // The simulator is Node; real drbd-utils are C. Without its share:
    const own = (name, key) => rows[name][key] - simCalls[name].reduce((sum, label) => sum + rows[label][key], 0);
    const [lc, oc, lw, ow] = [own(LINBIT, 'cpu'), own(OURS, 'cpu'), own(LINBIT, 'wall'), own(OURS, 'wall')];
    console.log(
      `without the simulated drbd-utils calls (agent row minus its sim rows, est.): linbit cpu ${lc.toFixed(1)} ms, hacloud ${oc.toFixed(1)} ms (${(oc / lc).toFixed(2)}×); ` +
        `wall ${lw.toFixed(1)} vs ${ow.toFixed(1)} ms (${(ow / lw).toFixed(2)}×)`,
    );
  }
  return rows;
}

// A fresh simulated resource in one flavour, both nodes up, initial sync
// done (forced Primary on ctl1), ctl1 Secondary again.
function setUp(flavor) {
  const state = join(work, `sim-${flavor}`);
  sims.push(state);
  sim(state, 'ctl1', 'fake-drbd', 'init', '--resource', 'r0', '--nodes', 'ctl1,ctl2', '--size-mib', '8', '--flavor', flavor);
  sim(state, 'ctl1', 'drbdadm', 'up', 'r0');
  sim(state, 'ctl2', 'drbdadm', 'up', 'r0');
  sim(state, 'ctl1', 'drbdadm', 'primary', '--force', 'r0');
  sim(state, 'ctl1', 'drbdadm', 'secondary', 'r0');
  rmSync(procDrbd, {force: true});
  symlinkSync(join(state, 'proc', 'ctl1', 'drbd'), procDrbd);
  return state;
}

try {
  execFileSync(process.execPath, [join(here, '../drbd-sim/build.mjs')], {stdio: 'ignore'});
  copyLinbitAgent();
  writeAttributeStub();
  const version = execFileSync('/usr/lib/hacloud/hacloud', ['version'], {encoding: 'utf8'}).trim();
  console.log(`drbd monitor: installed hacloud (${version}) vs ocf:linbit:drbd, same simulated resource r0 (test/drbd-sim, 8 MiB, ctl1 of ctl1+ctl2)`);
  console.log(`- ocf:linbit:drbd runs as a patched copy of ${LINBIT_DIR}/drbd (+ drbd.shellfuncs.sh): its one \`test -f /proc/drbd\``);
  console.log('  (no kernel module here) tests the simulator\'s /proc/drbd rendering instead; nothing else changed.');
  console.log('- drbdadm/drbdsetup are the simulator (a Node program, tens of ms per call; real drbd-utils are C):');
  console.log('  an agent\'s cost here includes every drbd-utils call it makes at simulator prices; see the "without" lines.');
  console.log('- No Pacemaker runs: both agents\' score updates (crm_master / crm_attribute) fail fast with "Could not connect');
  console.log('  to the CIB". hacloud caches an unchanged score and skips the call after a successful publish, which never');
  console.log('  happens here; ocf:linbit:drbd logs each failure (4 ocf_log lines, each forking tty and date). The "attrd');
  console.log('  stub" cases put a crm_attribute that exits 0 first in PATH: the steady state of a healthy cluster.');
  console.log('- rss is ru_maxrss: the largest single process of the call\'s tree (for ocf:linbit:drbd, a simulator call).');
  console.log(`- env (both): clean, PATH=${simBin}:${SYSTEM_PATH}, interval 20000, clone_max 2, promoted_max 1, notify true, crm_feature_set ${FEATURE_SET}`);
  if (!hasStrace) console.log('- strace not found: no execve listing, no estimate without the simulator');

  const cases = [];
  for (const flavor of ['9', '8.4']) {
    const state = setUp(flavor);
    const label = flavor === '9' ? 'DRBD 9' : 'DRBD 8.4';
    cases.push([`${label}, connected Secondary`, runCase(`${label}: connected UpToDate Secondary`, state, {expect: 0, tag: `${flavor}-s`})]);
    if (flavor === '9') {
      cases.push([`${label}, Secondary, attrd stub`, runCase(`${label}: connected Secondary, attrd stub (score updates succeed)`, state, {expect: 0, stub: true, tag: `${flavor}-s-stub`})]);
    }
    sim(state, 'ctl1', 'drbdadm', 'primary', 'r0');
    cases.push([`${label}, connected Primary`, runCase(`${label}: connected UpToDate Primary`, state, {expect: 8, tag: `${flavor}-p`})]);
    if (flavor === '9') {
      cases.push([`${label}, Primary, attrd stub`, runCase(`${label}: connected Primary, attrd stub (score updates succeed)`, state, {expect: 8, stub: true, tag: `${flavor}-p-stub`})]);
    }
  }

  console.log(`\nsummary: hacloud / linbit per monitor (medians, ${RUNS} runs)`);
  console.log('case'.padEnd(36), 'linbit cpu'.padStart(11), 'ours cpu'.padStart(9), 'cpu ×'.padStart(7), 'wall ×'.padStart(7), 'rss MiB l/o'.padStart(13));
  for (const [name, rows] of cases) {
    const [l, o] = [rows[LINBIT], rows[OURS]];
    console.log(
      name.padEnd(36),
      l.cpu.toFixed(1).padStart(11),
      o.cpu.toFixed(1).padStart(9),
      (o.cpu / l.cpu).toFixed(2).padStart(7),
      (o.wall / l.wall).toFixed(2).padStart(7),
      `${l.rss.toFixed(0)}/${o.rss.toFixed(0)}`.padStart(13),
    );
  }
} finally {
  for (const state of sims) {
    try {
      sim(state, 'ctl1', 'fake-drbd', 'teardown');
    } catch (error) {
      console.error(`fake-drbd teardown ${state}: ${error.message}`);
    }
  }
  rmSync(work, {recursive: true, force: true});
}
