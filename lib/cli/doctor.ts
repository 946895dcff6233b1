import {readFileSync, writeSync} from 'node:fs';
import type {Argv} from 'yargs';

// `hacloud doctor`: read-only preflight checks of this node.
export const doctorOptions = (y: Argv) =>
  y
    .option('root', {type: 'string', default: '/', describe: 'Prefix of every system path read (a copy of a node\'s files)'})
    .option('config', {type: 'string', describe: 'The description `hacloud config` reads: which agents and services to check'})
    .option('cib', {type: 'string', describe: 'A CIB XML file (default: cibadmin --query; with --root: none)'})
    .option('peer-cookie', {type: 'string', describe: "A copy of the other node's Erlang cookie, to compare"})
    .option('peer-fernet', {type: 'string', describe: "A copy of the other node's Fernet key directory, to compare"})
    .example('$0 doctor --config pair.yaml', 'check this node against the pair\'s description')
    .example('$0 doctor --peer-cookie /root/ctl2.cookie --peer-fernet /root/ctl2-fernet', 'also compare secrets with the other node');

export interface DoctorArgs {
  root: string;
  config?: string;
  cib?: string;
  'peer-cookie'?: string;
  'peer-fernet'?: string;
}

const CIBADMIN_TIMEOUT_MS = 15_000;

// The CIB from a file, or from the running cluster; a note when there is none.
async function loadCib(args: DoctorArgs): Promise<{xml?: string; note?: string}> {
  if (args.cib !== undefined) return {xml: readFileSync(args.cib, 'utf8')};
  if (args.root !== '/') return {note: '--root given without --cib'};
  const {run, describeFailure} = await import('../sys/exec');
  const {Deadline} = await import('../ocf/deadline');
  const result = await run('cibadmin', ['--query'], {deadline: Deadline.after(CIBADMIN_TIMEOUT_MS)});
  return result.ok ? {xml: result.stdout} : {note: `no cluster answered (${describeFailure(result)})`};
}

// Runs every check and prints one line each; 0 without a fail, 1 with one, 2 on bad input.
export async function runDoctor(args: DoctorArgs): Promise<number> {
  const {CHECKS, exitCode, formatReport, parseCib, planDoctor, runChecks} = await import('../doctor');
  let spec;
  if (args.config !== undefined) {
    const {parseSpec, SpecError} = await import('../config/spec');
    const {presetNames} = await import('../../agents/openstack/presets');
    const {parse} = await import('yaml');
    try {
      spec = parseSpec(parse(readFileSync(args.config, 'utf8')), presetNames());
    } catch (error) {
      if (!(error instanceof SpecError)) throw error;
      process.stderr.write(`hacloud doctor: ${args.config} has problems:\n${error.problems.map((p) => `  ${p}\n`).join('')}`);
      return 2;
    }
  }
  const {xml, note} = await loadCib(args);
  let cib;
  let cibNote = note;
  try {
    cib = xml === undefined ? undefined : parseCib(xml);
  } catch (error) {
    cibNote = `the CIB does not parse: ${(error as Error).message}`;
  }
  const plan = await planDoctor({spec, cib});
  const results = runChecks({
    root: args.root, plan, cib, cibNote,
    ...(args['peer-cookie'] !== undefined ? {peerCookie: args['peer-cookie']} : {}),
    ...(args['peer-fernet'] !== undefined ? {peerFernet: args['peer-fernet']} : {}),
  }, CHECKS);
  writeSync(1, `hacloud doctor: checking ${plan.agents.join(', ')} (from ${plan.source === 'config' ? args.config : plan.source === 'cib' ? 'the CIB' : 'the defaults'})\n${formatReport(results)}`);
  return exitCode(results);
}
