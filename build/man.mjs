// Man pages from the agents' declarations (the ones meta-data comes from):
// dist/man/ocf_hacloud_<agent>.7 for every agent and dist/man/hacloud.8 for
// the command line. The renderers are bundled from lib/ with esbuild and run here.
import {build} from 'esbuild';
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join} from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist/man');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Reproducible: the date of the last commit (or SOURCE_DATE_EPOCH), not today.
function pageDate() {
  if (process.env.SOURCE_DATE_EPOCH) return new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString().slice(0, 10);
  try {
    return execFileSync('git', ['log', '-1', '--format=%cs'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

rmSync(out, {recursive: true, force: true});
mkdirSync(out, {recursive: true});
const generator = join(out, '.generator.cjs');
await build({
  stdin: {
    contents: [
      "export {agentNames, loadAgent} from './agents';",
      "export {manPageName, renderManPage} from './lib/ocf/manpage';",
      "export {renderCommandManPage} from './lib/cli/manual';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  outfile: generator,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
});
const {agentNames, loadAgent, manPageName, renderManPage, renderCommandManPage} = createRequire(import.meta.url)(generator);
const date = pageDate();
const agents = agentNames();
for (const name of agents) {
  const decl = await loadAgent(name);
  writeFileSync(join(out, `${manPageName(name)}.7`), renderManPage(decl, {version: pkg.version, date}));
}
writeFileSync(join(out, 'hacloud.8'), renderCommandManPage({version: pkg.version, date, agents}));
rmSync(generator);
console.log(`dist/man: ${agents.length} agent pages and hacloud.8`);
