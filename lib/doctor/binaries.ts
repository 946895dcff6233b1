import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {findPreset} from '../../agents/openstack/presets';
import {findBinary} from '../sys/binaries';
import {param, result, under, type CheckResult, type DoctorContext} from './types';

// Which parameters of an agent name programs, and which name files, that
// its start needs. Unlisted agents (fs, vip) need only base system tools.
interface Needs {
  // Parameters naming programs, and files.
  programs: readonly string[];
  files: readonly string[];
  // Programs by name, found on the usual path.
  tools?: readonly string[];
}
const NEEDS: Readonly<Record<string, Needs>> = {
  mysql: {programs: ['binary'], files: ['config']},
  backup: {programs: ['binary'], files: []},
  rabbitmq: {programs: ['server', 'ctl'], files: []},
  drbd: {programs: [], files: ['drbdconf'], tools: ['drbdadm', 'drbdsetup']},
};
// Every OpenStack service agent (presets): its program, uWSGI ini and configs.
const SERVICE_NEEDS: Needs = {programs: ['binary'], files: ['wsgi_ini', 'config']};

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

// A program under the context's root: an absolute path as it is, a bare
// name in the usual directories.
const hasProgram = (ctx: DoctorContext, program: string): boolean =>
  program.includes('/') ? findBinary(under(ctx, program), {}) !== undefined : SEARCH.some((dir) => findBinary(join(under(ctx, dir), program), {}) !== undefined);

// (2) The programs and configuration files each configured agent needs.
export function checkBinaries(ctx: DoctorContext): CheckResult {
  const name = 'binaries and configs';
  const missing: string[] = [];
  let checked = 0;
  for (const agent of ctx.plan.agents) {
    const needs = NEEDS[agent] ?? (findPreset(agent) ? SERVICE_NEEDS : undefined);
    if (!needs) continue;
    for (const program of [...needs.programs.map((p) => param(ctx, agent, p)), ...(needs.tools ?? [])].filter(Boolean)) {
      checked++;
      if (!hasProgram(ctx, program)) missing.push(`${agent}: program ${program}`);
    }
    // config holds several files, space-separated (OpenStack services).
    for (const file of needs.files.flatMap((f) => param(ctx, agent, f).split(/\s+/)).filter(Boolean)) {
      checked++;
      if (!existsSync(under(ctx, file))) missing.push(`${agent}: file ${file}`);
    }
  }
  if (checked === 0) return result(name, 'skip', 'no configured agent needs a program or file');
  if (missing.length > 0) return result(name, 'fail', `missing: ${missing.join(', ')}`);
  return result(name, 'pass', `${checked} programs and files of ${ctx.plan.agents.join(', ')} present`);
}
