import yargs from 'yargs';
import {agentNames, loadAgent} from '../../agents';
import {dispatch} from '../ocf/dispatch';
import {VERSION} from '../version';
import {backupCommands} from './backup';
import {COMMANDS} from './commands';
import {configOptions, runConfig} from './config';
import {doctorOptions, runDoctor} from './doctor';
import {printAgents, printVersion} from './simple-commands';

const INTRO = `$0 <command> [options]

One binary serving every hacloud OCF resource agent (ocf:hacloud:<agent>).
Pacemaker runs the agents through the links in /usr/lib/ocf/resource.d/hacloud;
this command helps you set up and check a two-node controller:

  1. hacloud config pair.yaml > controller.crm   the configuration of the pair
  2. read it, fill in the fencing (FILL-IN), prepare what its header lists
  3. crm configure load update controller.crm   (or run the --pcs output)`;

// `hacloud` as a command: set up and check a cluster, inspect and run agents.
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
    .usage(INTRO)
    .command(COMMANDS.agents.usage, COMMANDS.agents.summary, {}, () => {
      code = printAgents();
    })
    .command(
      COMMANDS.metaData.usage,
      COMMANDS.metaData.summary,
      (y) => y.positional('agent', {type: 'string', demandOption: true, describe: 'An agent name (see: hacloud agents)'}),
      async (args) => {
        code = await withAgent(args.agent, (agent) => dispatch(agent, ['meta-data'], process.env));
      },
    )
    .command(
      COMMANDS.run.usage,
      COMMANDS.run.summary,
      (y) =>
        y
          .positional('agent', {type: 'string', demandOption: true, describe: 'An agent name (see: hacloud agents)'})
          .positional('action', {type: 'string', demandOption: true, describe: 'start, stop, monitor, validate-all, ...'})
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
          .option('check-level', {type: 'number', describe: 'OCF_CHECK_LEVEL'})
          .example('$0 run vip monitor -p ip=203.0.113.10 --interval 10', 'a recurring monitor of a VIP'),
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
      COMMANDS.config.usage,
      COMMANDS.config.summary,
      configOptions,
      async (args) => {
        code = await runConfig(args);
      },
    )
    .command(COMMANDS.doctor.usage, COMMANDS.doctor.summary, doctorOptions, async (args) => {
      code = await runDoctor(args);
    })
    .command(
      COMMANDS.drbdSplitBrain.usage,
      COMMANDS.drbdSplitBrain.summary,
      (y) => y.option('state-dir', {type: 'string', default: '/var/lib/hacloud/drbd', describe: 'The drbd agent\'s state_dir'}),
      async (args) => {
        const {recordSplitBrain} = await import('../../agents/drbd/handler');
        await recordSplitBrain(process.env, args['state-dir']);
      },
    )
    .command(COMMANDS.backup.usage, COMMANDS.backup.summary, (y) =>
      backupCommands(y, (c) => {
        code = c;
      }),
    )
    .command(COMMANDS.version.usage, COMMANDS.version.summary, {}, () => {
      code = printVersion();
    })
    // `hacloud completion` prints the bash script; agent names complete after run and meta-data.
    .completion(COMMANDS.completion.usage, COMMANDS.completion.summary, (current: string, args: {_: (string | number)[]}, defaultCompletion: () => void, done: (completions: string[]) => void) => {
      const words = args._.map(String);
      if ((words[0] === 'run' || words[0] === 'meta-data') && words.length === 2) {
        done(agentNames().filter((name) => name.startsWith(current)));
        return;
      }
      defaultCompletion();
    })
    .example('$0 config pair.yaml > controller.crm', 'write the crmsh configuration of the pair')
    .example('$0 config pair.yaml --pcs > controller.sh', 'the same as pcs commands')
    .example('$0 doctor --config pair.yaml', 'preflight checks of this node')
    .example('$0 meta-data vip', "the vip agent's parameters (also: man ocf_hacloud_vip)")
    .epilogue('Manuals: hacloud(8), ocf_hacloud_<agent>(7). Examples: /usr/share/doc/hacloud/examples.')
    .demandCommand(1, 'Give a command; see --help')
    .strict()
    .version(VERSION)
    .help()
    .wrap(null)
    .fail((message, error) => {
      process.stderr.write(`hacloud: ${message ?? error?.message}\n`);
      code = 2;
    })
    .parseAsync();
  return code;
}
