// The `hacloud` command line a newcomer meets: --help lists every command of
// the table hacloud(8) is made from, and bash completion knows commands and agents.
import {execa} from 'execa';
import {join} from 'node:path';
import {COMMANDS} from '../../lib/cli/commands';

const HACLOUD = join(__dirname, '../../dist/hacloud');

test('--help lists every command with its summary, and the first steps', async () => {
  const {stdout} = await execa(HACLOUD, ['--help']);
  for (const command of Object.values(COMMANDS)) {
    expect(stdout).toContain(`hacloud ${command.usage}`);
    expect(stdout).toContain(command.summary);
  }
  expect(stdout).toMatch(/1\. hacloud config pair\.yaml/);
});

test('completion: commands, then agent names after run and meta-data', async () => {
  const complete = async (...words: string[]) => (await execa(HACLOUD, ['--get-yargs-completions', ...words])).stdout.split('\n');
  expect(await complete('con')).toContain('config');
  const agents = (await execa(HACLOUD, ['agents'])).stdout.split('\n');
  expect(await complete('run', 'nova-')).toEqual(agents.filter((a) => a.startsWith('nova-')));
  expect(await complete('meta-data', '')).toEqual(agents);
  const script = (await execa(HACLOUD, ['completion'])).stdout;
  expect(script).toContain('complete -o bashdefault -o default -F _hacloud_yargs_completions hacloud');
});
