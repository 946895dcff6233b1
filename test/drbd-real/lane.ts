import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {Checks} from './check';
import {Cluster, type Host} from './cluster';
import {diff, normalise, type LaneReport} from './compare';
import type {NodeName} from './config';
import {buildGuestImage} from './image';
import {bootPair} from './pair';
import {SCENARIOS} from './scenarios';
import {startSim} from './sim';

// The real-DRBD lane: build (or reuse) the guest image, boot the pair, run
// every scenario against the DRBD 8.4 kernel module, tear down, summarise.
// --sim runs the same scenarios against test/drbd-sim (8.4) instead;
// --compare REAL.json (with --sim) diffs the two runs.
// Usage: node dist/drbd-real/lane.cjs [--hacloud PATH] [--only TEXT] [--report FILE] [--sim [--compare REAL.json]]
//        node dist/drbd-real/lane.cjs --diff REAL.json SIM.json

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// The installed binary when there is one, else this tree's build.
function hacloudBinary(): string {
  const given = option('--hacloud');
  if (given) return resolve(given);
  for (const candidate of ['/usr/lib/hacloud/hacloud', resolve(__dirname, '..', 'hacloud')]) if (existsSync(candidate)) return candidate;
  throw new Error('no hacloud binary: build one (make build) or pass --hacloud PATH');
}

interface Result {
  name: string;
  seconds: number;
  passed: number;
  failures: string[];
}

async function runScenarios(cluster: Cluster, log: (line: string) => void): Promise<Result[]> {
  const results: Result[] = [];
  const only = option('--only');
  for (const scenario of SCENARIOS) {
    if (only && !scenario.name.includes(only) && scenario !== SCENARIOS[0]) continue;
    log(`scenario: ${scenario.name}`);
    cluster.scenario = scenario.name;
    const check = new Checks(log);
    const started = Date.now();
    try {
      await scenario.run(cluster, check);
    } catch (error) {
      check.failures.push(`aborted: ${(error as Error).message}`);
      log(`  FAIL aborted: ${(error as Error).message}`);
    }
    const seconds = (Date.now() - started) / 1000;
    results.push({name: scenario.name, seconds, passed: check.passed, failures: check.failures});
    log(`  ${check.failures.length ? 'FAILED' : 'passed'} in ${seconds.toFixed(1)} s (${check.passed} checks passed)`);
    // Later scenarios build on the pair this one left; stop after a broken one.
    if (check.failures.some((f) => f.startsWith('aborted'))) break;
  }
  return results;
}

// Reports the differences between a real and a simulated run; the number not explained.
function compareReports(real: LaneReport, sim: LaneReport, label: string, log: (line: string) => void): number {
  const differences = diff(normalise(real), normalise(sim));
  const unexplained = differences.filter((d) => !d.known).length;
  log(`\nreal DRBD (${label}) against the simulator: ${differences.length} differing lines, ${unexplained} not explained by a known limitation`);
  for (const d of differences) log(`${d.real !== undefined ? `real: ${d.real}` : `sim:  ${d.sim}`}${d.known ? `   [known: ${d.known}]` : ''}`);
  return unexplained;
}

async function main(): Promise<number> {
  const laneStarted = Date.now();
  const reports = process.argv.indexOf('--diff');
  if (reports >= 0) {
    const [real, sim] = process.argv.slice(reports + 1, reports + 3).map((f) => JSON.parse(readFileSync(f, 'utf8')) as LaneReport);
    if (!real || !sim) throw new Error('--diff REAL.json SIM.json');
    return compareReports(real, sim, process.argv[reports + 1] ?? '', console.log) === 0 ? 0 : 1;
  }
  const log = (line: string) => console.log(line);
  const hacloud = hacloudBinary();
  const simulated = process.argv.includes('--sim');
  log(`drbd-real: agent binary ${hacloud}${simulated ? ', against test/drbd-sim (8.4)' : ''}`);
  let close: (() => Promise<void>) | undefined;
  const stop = () => void (close?.() ?? Promise.resolve()).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let results: Result[] = [];
  let report: LaneReport & Record<string, unknown>;
  try {
    let hosts: Record<NodeName, Host>;
    const extra: Record<string, unknown> = {};
    if (simulated) {
      const sim = await startSim(hacloud);
      close = sim.close;
      hosts = sim.nodes;
    } else {
      const image = buildGuestImage(hacloud, log);
      log(`drbd-real: guest image ${image.built ? 'built' : 'cached'} in ${image.seconds.toFixed(1)} s (${image.kernelVersion})`);
      const pair = await bootPair(image);
      close = pair.close;
      hosts = pair.guests;
      log(`drbd-real: both guests booted in ${pair.bootSeconds.toFixed(1)} s`);
      Object.assign(extra, {image, bootSeconds: pair.bootSeconds});
    }
    const cluster = new Cluster(hosts, log);
    results = await runScenarios(cluster, log);
    report = {...extra, results, notes: cluster.notes, snapshots: cluster.snapshots, steps: cluster.steps};
    const file = option('--report');
    if (file) {
      mkdirSync(dirname(file), {recursive: true});
      writeFileSync(file, JSON.stringify(report, null, 1));
    }
  } finally {
    await close?.();
  }
  const failed = results.filter((r) => r.failures.length > 0);
  log('');
  for (const r of results) log(`${r.failures.length ? 'FAIL' : 'PASS'} ${r.name} (${r.seconds.toFixed(1)} s)${r.failures.map((f) => `\n     ${f}`).join('')}`);
  let unexplained = 0;
  const against = option('--compare');
  if (against) {
    unexplained = compareReports(JSON.parse(readFileSync(against, 'utf8')) as LaneReport, report, against, log);
  }
  log(`drbd-real: lane took ${((Date.now() - laneStarted) / 1000).toFixed(1)} s`);
  const failing = failed.length + (unexplained > 0 ? 1 : 0);
  log(`${results.length - failed.length} passed, ${failing} failed`);
  return failing === 0 && results.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
