// Shared by the benchmarks: interleaved runs measured by rusage.py (wait4),
// medians, and a table of ratios against a baseline row.
import {execFileSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 3;
const here = fileURLToPath(new URL('.', import.meta.url));

// {name: {argv, env}} → {name: [{wall, cpu, rss_kb, rc}]}, optionally inside a network namespace.
export function measure(commands, {netns} = {}) {
  const argv = ['python3', `${here}rusage.py`, String(RUNS), String(WARMUP), JSON.stringify(commands)];
  const out = netns
    ? execFileSync('ip', ['netns', 'exec', netns, ...argv], {encoding: 'utf8', maxBuffer: 1 << 24})
    : execFileSync(argv[0], argv.slice(1), {encoding: 'utf8', maxBuffer: 1 << 24});
  return JSON.parse(out);
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function summarise(samples) {
  return {
    cpu: median(samples.map((s) => s.cpu)) * 1000,
    wall: median(samples.map((s) => s.wall)) * 1000,
    rss: median(samples.map((s) => s.rss_kb)) / 1024,
    codes: [...new Set(samples.map((s) => s.rc))],
  };
}

// Prints medians per command and the ratios to `baseline`; returns the rows.
export function report(title, results, baseline, {width = 28} = {}) {
  const rows = Object.fromEntries(Object.entries(results).map(([name, s]) => [name, summarise(s)]));
  const base = rows[baseline];
  console.log(`\n${title} (${RUNS} runs each, interleaved, medians)`);
  console.log('command'.padEnd(width), 'cpu ms'.padStart(9), 'wall ms'.padStart(9), 'rss MiB'.padStart(9), 'cpu ×'.padStart(7), 'wall ×'.padStart(7), ' exit');
  for (const [name, r] of Object.entries(rows)) {
    console.log(
      name.padEnd(width),
      r.cpu.toFixed(1).padStart(9),
      r.wall.toFixed(1).padStart(9),
      r.rss.toFixed(1).padStart(9),
      (r.cpu / base.cpu).toFixed(2).padStart(7),
      (r.wall / base.wall).toFixed(2).padStart(7),
      ` ${r.codes.join(',')}`,
    );
  }
  return rows;
}
