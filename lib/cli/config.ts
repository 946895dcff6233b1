import {readFileSync, writeSync} from 'node:fs';
import type {Argv} from 'yargs';

// `hacloud config [FILE] [--pcs] [flags]`: the description from a YAML/JSON
// file and/or flags (flags win), the configuration on stdout.
export const configOptions = (y: Argv) =>
  y
    .positional('file', {type: 'string', describe: 'YAML or JSON description of the pair ("-": stdin)'})
    .option('pcs', {type: 'boolean', default: false, describe: 'Print pcs commands instead of crmsh configuration'})
    .option('node', {type: 'string', array: true, describe: 'A node as NAME=ADDRESS (twice)'})
    .option('vip', {type: 'string', describe: 'The VIP as ADDRESS/PREFIX'})
    .option('drbd-resource', {type: 'string', describe: 'DRBD resource name (default r0)'})
    .option('drbd-device', {type: 'string', describe: 'DRBD device (default /dev/drbd0)'})
    .option('rabbitmq', {type: 'boolean', describe: 'Include RabbitMQ (default: when services need it)'})
    .option('services', {type: 'string', describe: 'OpenStack services, comma-separated (see: hacloud agents)'})
    .example('$0 config pair.yaml', 'crmsh configuration from a description')
    .example('$0 config --node ctl1=198.51.100.11 --node ctl2=198.51.100.12 --vip 203.0.113.10/24 --services keystone,glance-api', 'the same from flags')
    .epilogue(`A description (YAML):
  nodes:
    - {name: ctl1, address: 198.51.100.11}
    - {name: ctl2, address: 198.51.100.12}
  vip: 203.0.113.10/24
  drbd: {resource: r0, device: /dev/drbd0}
  rabbitmq: {cookie_file: /etc/hacloud/rabbitmq.cookie}
  services: [keystone, glance-api, placement-api, nova-api, nova-scheduler, nova-conductor]`);

interface ConfigArgs {
  file?: string;
  pcs: boolean;
  node?: string[];
  vip?: string;
  'drbd-resource'?: string;
  'drbd-device'?: string;
  rabbitmq?: boolean;
  services?: string;
}

export async function runConfig(args: ConfigArgs): Promise<number> {
  const {generateConfig} = await import('../config');
  const {SpecError} = await import('../config/spec');
  const {parse} = await import('yaml');
  try {
    const text = args.file === undefined ? undefined : readFileSync(args.file === '-' ? 0 : args.file, 'utf8');
    const description = (text === undefined ? {} : parse(text)) as Record<string, unknown>;
    const merged = {...description, ...fromFlags(args, description)};
    writeSync(1, await generateConfig(merged, args.pcs ? 'pcs' : 'crm'));
    return 0;
  } catch (error) {
    if (error instanceof SpecError) {
      process.stderr.write(`hacloud config: the description has problems:\n${error.problems.map((p) => `  ${p}\n`).join('')}`);
      return 2;
    }
    throw error;
  }
}

// Flags as description keys (only those given).
function fromFlags(args: ConfigArgs, description: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (args.node) {
    out.nodes = args.node.map((n) => {
      const [name, address] = n.split('=');
      return {name, address};
    });
  }
  if (args.vip) out.vip = args.vip;
  if (args['drbd-resource'] || args['drbd-device']) {
    out.drbd = {...(args['drbd-resource'] ? {resource: args['drbd-resource']} : {}), ...(args['drbd-device'] ? {device: args['drbd-device']} : {})};
  }
  if (args.services) out.services = args.services.split(',').map((s) => s.trim()).filter(Boolean);
  if (args.rabbitmq !== undefined) out.rabbitmq = args.rabbitmq;
  else if (args.services && description.rabbitmq === undefined) out.rabbitmq = true;
  return out;
}
