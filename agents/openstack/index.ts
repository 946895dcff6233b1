import {defineAgent} from '../../lib/ocf';
import type {AnyAgentDeclaration} from '../../lib/ocf/declaration';
import {checkEnvironmentFor} from './environment';
import {monitorFor} from './monitor';
import {parametersFor} from './parameters';
import type {Preset} from './preset';
import {findPreset} from './presets';
import {startFor} from './start';
import {stopFor} from './stop';

// The agent of one row of the service table: the same engine, the row's defaults.
export function openstackAgent(preset: Preset): AnyAgentDeclaration {
  const api = preset.port !== undefined;
  const rpc = preset.daemons.some((d) => d.rpc);
  return defineAgent({
    name: preset.name,
    version: '0.1.0',
    shortdesc: preset.title,
    longdesc: [
      `Runs ${preset.title} the way Debian does (${preset.daemons.map((d) => d.id).join(' and ')}), but started by the agent itself in its own session, not through systemd: disable and mask the distro units (validate-all warns about enabled ones).`,
      `Start returns when the service passes the checks of monitor depth 10 (start timeouts of 60-120 s are normal for uWSGI with many workers); a failed start quotes log_file and leaves nothing running.`,
      `Stop ends every process tree of the service: SIGTERM, then SIGKILL inside the deadline, verified gone.`,
      `Monitor depth 0: the processes we started are alive (pid and start time)${api ? ' and the port accepts connections' : ''}${rpc ? '; every RPC daemon\'s tree holds an ESTABLISHED TCP connection to the AMQP broker (read from /proc, exact address and port, IPv4 and IPv6)' : ''}.`,
      api ? `Depth 10: the unauthenticated GET ${preset.health?.path ?? ''} (status${preset.health?.json ? ' and JSON' : ''} checked); a 503 "DISABLED BY FILE" from an oslo.middleware /healthcheck is reported as draining (0, logged): touch the disable file to drain a node before a failover.` : '',
      api && preset.deepPath
        ? 'Depth 20 (opt-in): a Keystone v3 token from the root-only credentials file, cached until it expires, and an authenticated GET of deep_check_path that must answer 2xx; a Keystone that issues no token fails only the keystone agent.'
        : '',
      preset.daemons.some((d) => d.command.kind === 'uwsgi') ? 'AppArmor: see the apparmor parameter (Debian\'s ini loads the apparmor plugin, which fails where the kernel has none).' : '',
      'Codes: missing program, ini or config 5, missing user 2, not root 4.',
    ]
      .filter(Boolean)
      .join(' '),
    parameters: parametersFor(preset),
    checkEnvironment: checkEnvironmentFor(preset),
    actions: {
      start: {timeout: 120, run: startFor(preset)},
      stop: {timeout: 60, run: stopFor(preset)},
      monitor: {
        timeout: 30,
        interval: 20,
        depth: 0,
        run: monitorFor(preset),
        more: api ? [{timeout: 30, interval: 30, depth: 10}, ...(preset.deepPath ? [{timeout: 40, interval: 120, depth: 20}] : [])] : [],
      },
    },
  });
}

// The agent named `name`, when the table has it.
export function loadOpenstackAgent(name: string): AnyAgentDeclaration | undefined {
  const preset = findPreset(name);
  return preset ? openstackAgent(preset) : undefined;
}
