// Bundles lib/main.ts and everything it imports into one CommonJS file
// (dist/hacloud.cjs), the input of the single-executable build.
import {build} from 'esbuild';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {builtinModules} from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let revision = '';
try {
  revision = execFileSync('git', ['describe', '--always', '--dirty'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
} catch {
  // not a git checkout (a source package)
}
const version = revision ? `${pkg.version}+${revision}` : pkg.version;

await build({
  entryPoints: ['lib/main.ts'],
  outfile: 'dist/hacloud.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Whitespace and syntax only: names stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: {__HACLOUD_VERSION__: JSON.stringify(version)},
  logLevel: 'warning',
});
// A Node single executable has no import() for builtins (it fails at run
// time with "A dynamic import callback was not specified"): refuse to build one.
const bundle = readFileSync('dist/hacloud.cjs', 'utf8');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const dynamic = [...bundle.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]).filter((m) => builtins.has(m));
if (dynamic.length > 0) {
  console.error(`dist/hacloud.cjs: import() of builtin modules ${dynamic.join(', ')}; use require()`);
  process.exit(1);
}
console.log(`dist/hacloud.cjs (hacloud ${version})`);
