import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import {Checks} from './check';
import {Cluster} from './cluster';
import {buildGuestImage} from './image';
import {bootPair, type Pair} from './pair';
import {SCENARIOS} from './scenarios';

// The real-DRBD lane: build (or reuse) the guest image, boot the pair, run
// every scenario against the DRBD 8.4 kernel module, tear down, summarise.
// Usage: node dist/drbd-real/lane.cjs [--hacloud PATH] [--only SUBSTRING] [--report FILE]

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

async function main(): Promise<number> {
  const laneStarted = Date.now();
  const log = (line: string) => console.log(line);
  const hacloud = hacloudBinary();
  log(`drbd-real: agent binary ${hacloud}`);
  const image = buildGuestImage(hacloud, log);
  log(`drbd-real: guest image ${image.built ? 'built' : 'cached'} in ${image.seconds.toFixed(1)} s (${image.kernelVersion})`);
  let pair: Pair | undefined;
  const stop = () => void pair?.close().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const results: {name: string; seconds: number; passed: number; failures: string[]}[] = [];
  try {
    pair = await bootPair(image);
    log(`drbd-real: both guests booted in ${pair.bootSeconds.toFixed(1)} s`);
    const cluster = new Cluster(pair.guests, log);
    const only = option('--only');
    for (const scenario of SCENARIOS) {
      if (only && !scenario.name.includes(only) && scenario !== SCENARIOS[0]) continue;
      log(`scenario: ${scenario.name}`);
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
    const report = option('--report');
    if (report) {
      mkdirSync(dirname(report), {recursive: true});
      writeFileSync(report, JSON.stringify({image, bootSeconds: pair.bootSeconds, results, notes: cluster.notes, snapshots: cluster.snapshots, steps: cluster.steps}, null, 1));
    }
  } finally {
    await pair?.close();
  }
  const failed = results.filter((r) => r.failures.length > 0);
  log('');
  for (const r of results) log(`${r.failures.length ? 'FAIL' : 'PASS'} ${r.name} (${r.seconds.toFixed(1)} s)${r.failures.map((f) => `\n     ${f}`).join('')}`);
  log(`drbd-real: lane took ${((Date.now() - laneStarted) / 1000).toFixed(1)} s`);
  log(`${results.length - failed.length} passed, ${failed.length} failed`);
  return failed.length === 0 && results.length > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
