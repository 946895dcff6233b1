import {basename} from 'node:path';
import {findPreset} from '../../agents/openstack/presets';
import type {ProcStat} from '../sys/proc';
import {readCmdline} from '../sys/proc';
import {listProcesses} from '../sys/process-tree';
import {enabledUnits} from '../sys/systemd-units';
import {result, under, type CheckResult, type DoctorContext} from './types';

// How to recognise a service's units and processes.
interface ServiceSignature {
  units: readonly string[];
  // Command names (/proc/PID/comm, 15 characters at most).
  comms: readonly string[];
  // Or an argument equal to one of these (a uWSGI ini).
  args: readonly string[];
}

const PACEMAKER_EXECUTORS = new Set(['pacemaker-execd', 'lrmd']);
const comm = (program: string): string => basename(program).slice(0, 15);

// Debian's units and daemons of what an agent manages.
export function serviceSignature(agent: string): ServiceSignature | undefined {
  switch (agent) {
    case 'mysql':
      return {units: ['mariadb', 'mysql'], comms: ['mariadbd', 'mysqld'], args: []};
    case 'rabbitmq':
      return {units: ['rabbitmq-server'], comms: [], args: ['rabbit']};
    case 'drbd':
      return {units: ['drbd'], comms: [], args: []};
    default: {
      const preset = findPreset(agent);
      if (!preset) return undefined;
      const comms = preset.daemons.flatMap((d) => (d.command.kind === 'daemon' ? [comm(d.command.binary)] : d.command.kind === 'apache' ? ['apache2'] : []));
      const args = preset.daemons.flatMap((d) => (d.command.kind === 'uwsgi' ? [d.command.ini] : []));
      return {units: preset.units, comms, args};
    }
  }
}

// (1) Distro units of managed services: enabled at boot is a fail (the
// service would start beside Pacemaker's after a reboot); a process running
// outside Pacemaker (no pacemaker-execd among its ancestors) is a warn.
export function checkDistroUnits(ctx: DoctorContext): CheckResult {
  const name = 'distro units';
  const signatures = ctx.plan.agents.flatMap((agent) => {
    const s = serviceSignature(agent);
    return s ? [{agent, ...s}] : [];
  });
  if (signatures.length === 0) return result(name, 'skip', 'no managed service with a distro unit configured');
  const enabled = enabledUnits([...new Set(signatures.flatMap((s) => s.units))], under(ctx, '/etc/systemd/system'));
  const outside = processesOutsidePacemaker(ctx, signatures);
  const units = signatures.flatMap((s) => s.units);
  if (enabled.length > 0) {
    return result(name, 'fail', `enabled at boot: ${enabled.map((u) => `${u}.service`).join(', ')} (systemctl disable --now UNIT; systemctl mask UNIT)${outside.length ? `; ${describe(outside)}` : ''}`);
  }
  if (outside.length > 0) return result(name, 'warn', `${describe(outside)}: stop it, Pacemaker starts it`);
  return result(name, 'pass', `${units.length} units disabled, no service process outside Pacemaker`);
}

const describe = (found: {agent: string; pid: number; comm: string}[]): string =>
  `running outside Pacemaker: ${found.map((p) => `${p.comm} (pid ${p.pid}, ${p.agent})`).join(', ')}`;

function processesOutsidePacemaker(ctx: DoctorContext, signatures: (ServiceSignature & {agent: string})[]) {
  const proc = under(ctx, '/proc');
  const all = listProcesses(proc);
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const managed = (p: ProcStat): boolean => {
    const seen = new Set<number>();
    for (let at = byPid.get(p.ppid); at && !seen.has(at.pid); at = byPid.get(at.ppid)) {
      if (PACEMAKER_EXECUTORS.has(at.comm)) return true;
      seen.add(at.pid);
    }
    return false;
  };
  const found: {agent: string; pid: number; comm: string}[] = [];
  for (const p of all) {
    const s = signatures.find((sig) => sig.comms.includes(p.comm) || (sig.args.length > 0 && matchesArgs(readCmdline(p.pid, proc), sig.args)));
    if (!s || managed(p)) continue;
    // A daemon's workers are its children: report the top one only.
    const parent = byPid.get(p.ppid);
    if (parent && found.some((f) => f.pid === parent.pid)) continue;
    found.push({agent: s.agent, pid: p.pid, comm: p.comm});
  }
  return found;
}

// rabbit: the Erlang VM runs `-s rabbit boot` (any argument naming rabbit);
// ini paths match exactly.
const matchesArgs = (argv: readonly string[], args: readonly string[]): boolean =>
  argv.length > 0 && args.some((a) => (a.startsWith('/') ? argv.includes(a) : argv.includes(a) && /beam/.test(basename(argv[0] ?? ''))));
