import {basename} from 'node:path';
import {agents, loadAgent} from '../agents';
import {dispatch} from './ocf/dispatch';

// Entry point of the one binary. Invoked through a link named after an agent
// (process.argv[1] holds the invoked path in a Node single-executable
// application), it is that agent; otherwise it is the hacloud command line.
async function main(): Promise<number> {
  const invokedAs = basename(process.argv[1] ?? '');
  if (Object.hasOwn(agents, invokedAs)) {
    const agent = await loadAgent(invokedAs);
    return agent ? dispatch(agent, process.argv.slice(2), process.env) : 1;
  }
  const args = process.argv.slice(2);
  // The two argument-less commands are answered without loading yargs, the
  // largest module of the CLI: `hacloud version` starts as fast as an agent.
  if (args.length === 1 && (args[0] === 'version' || args[0] === 'agents')) {
    const {printAgents, printVersion} = await import('./cli/simple-commands');
    return args[0] === 'version' ? printVersion() : printAgents();
  }
  const {runCli} = await import('./cli/main');
  return runCli(args);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`ocf-exit-reason:internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
