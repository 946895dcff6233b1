import yargs from 'yargs';
import {loadAgent} from '../../agents';
import {dispatch} from '../ocf/dispatch';
import {VERSION} from '../version';
import {backupCommands} from './backup';
import {printAgents, printVersion} from './simple-commands';

// `hacloud` as a command: list agents, print meta-data, run an action by hand.
export async function runCli(argv: string[]): Promise<number> {
  let code = 0;
  const withAgent = async (name: string, use: (agent: NonNullable<Awaited<ReturnType<typeof loadAgent>>>) => Promise<number>) => {
    const agent = await loadAgent(name);
    if (!agent) {
      process.stderr.write(`hacloud: no agent named ${JSON.stringify(name)} (see: hacloud agents)\n`);
      return 2;
    }
    return use(agent);
  };
  await yargs(argv)
    .scriptName('hacloud')
    .usage('$0 <command>\n\nOne binary serving every hacloud OCF resource agent.')
    .command('agents', 'List the agents this binary serves', {}, () => {
      code = printAgents();
    })
    .command(
      'meta-data <agent>',
      "Print an agent's OCF meta-data",
      (y) => y.positional('agent', {type: 'string', demandOption: true}),
      async (args) => {
        code = await withAgent(args.agent, (agent) => dispatch(agent, ['meta-data'], process.env));
      },
    )
    .command(
      'run <agent> <action>',
      'Run one action of an agent, as Pacemaker would (for debugging)',
      (y) =>
        y
          .positional('agent', {type: 'string', demandOption: true})
          .positional('action', {type: 'string', demandOption: true})
          .option('param', {
            alias: 'p',
            type: 'string',
            array: true,
            default: [] as string[],
            describe: 'Instance parameter name=value (becomes OCF_RESKEY_name)',
          })
          .option('instance', {type: 'string', describe: 'OCF_RESOURCE_INSTANCE'})
          .option('timeout', {type: 'number', describe: 'Operation timeout in seconds'})
          .option('interval', {type: 'number', default: 0, describe: 'Monitor interval in seconds (0: probe)'})
          .option('check-level', {type: 'number', describe: 'OCF_CHECK_LEVEL'}),
      async (args) => {
        const env: NodeJS.ProcessEnv = {...process.env};
        for (const pair of args.param) {
          const at = pair.indexOf('=');
          if (at <= 0) throw new Error(`--param ${pair}: expected name=value`);
          env[`OCF_RESKEY_${pair.slice(0, at)}`] = pair.slice(at + 1);
        }
        if (args.instance) env.OCF_RESOURCE_INSTANCE = args.instance;
        if (args.timeout !== undefined) env.OCF_RESKEY_CRM_meta_timeout = String(args.timeout * 1000);
        env.OCF_RESKEY_CRM_meta_interval = String(args.interval * 1000);
        if (args['check-level'] !== undefined) env.OCF_CHECK_LEVEL = String(args['check-level']);
        code = await withAgent(args.agent, (agent) => dispatch(agent, [args.action], env));
        process.stderr.write(`exit code ${code}\n`);
      },
    )
    .command(
      'drbd-split-brain',
      "DRBD's split-brain handler: records the event for the drbd agent (set in drbd.conf handlers)",
      (y) => y.option('state-dir', {type: 'string', default: '/var/lib/hacloud/drbd', describe: 'The drbd agent\'s state_dir'}),
      async (args) => {
        const {recordSplitBrain} = await import('../../agents/drbd/handler');
        await recordSplitBrain(process.env, args['state-dir']);
      },
    )
    .command('backup', 'Backup sets of the backup agent: list, run, verify, restore', (y) =>
      backupCommands(y, (c) => {
        code = c;
      }),
    )
    .command('version', 'Print the version', {}, () => {
      code = printVersion();
    })
    .demandCommand(1, 'Give a command; see --help')
    .strict()
    .version(VERSION)
    .help()
    .fail((message, error) => {
      process.stderr.write(`hacloud: ${message ?? error?.message}\n`);
      code = 2;
    })
    .parseAsync();
  return code;
}
