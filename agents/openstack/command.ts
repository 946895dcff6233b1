import {dirname, join} from 'node:path';
import {configFiles, type Params} from './parameters';
import type {DaemonSpec, Preset} from './preset';

export interface Invocation {
  file: string;
  args: string[];
  // Added to the service's environment.
  env: Record<string, string>;
  logFile: string;
}

// host:port as uWSGI's --http-socket wants it ([v6]:port).
export const socketAddress = (host: string, port: number): string => `${host.includes(':') ? `[${host}]` : host}:${port}`;

// The command line of one daemon of a preset: pure, from the parameters.
// `ini` is the ini uWSGI reads (the parameter's, or the copy without AppArmor);
// uWSGI drops to `owner` itself (overriding the uid/gid of Debian's ini) and
// logs to log_file. Only the first daemon takes binary and extra_args.
export function invocation(
  preset: Preset,
  daemon: DaemonSpec,
  params: Params,
  {ini = params.wsgi_ini, owner}: {ini?: string; owner?: {uid: number; gid: number}} = {},
): Invocation {
  const main = daemon === preset.daemons[0];
  const configs = configFiles(params);
  const extra = main ? params.extra_args.split(/\s+/).filter(Boolean) : [];
  const logFile = main ? params.log_file : join(dirname(params.log_file), `${daemon.id}.log`);
  const env = configEnvironment(preset, configs);
  const command = daemon.command;
  switch (command.kind) {
    case 'uwsgi': {
      const args = ['--http-socket', socketAddress(params.bind_address || '0.0.0.0', params.port), '--ini', ini, '--die-on-term', '--logto', logFile];
      if (owner) args.push('--uid', String(owner.uid), '--gid', String(owner.gid));
      if (command.pyargv) args.push('--pyargv', configs.map((c) => `--config-file=${c}`).join(' '));
      return {file: main ? params.binary : '/usr/bin/uwsgi_python311', args: [...args, ...extra], env, logFile};
    }
    case 'daemon':
      return {file: main ? params.binary : command.binary, args: [...configs.map((c) => `--config-file=${c}`), ...extra], env, logFile};
    case 'apache':
      return {file: main ? params.binary : command.binary, args: ['-DFOREGROUND', ...extra], env, logFile};
  }
}

// The variables some WSGI entry points read instead of argv.
function configEnvironment(preset: Preset, configs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  const first = configs[0];
  if (preset.configEnv?.dir && first) env[preset.configEnv.dir] = dirname(first);
  // keystone/server/wsgi.py splits OS_KEYSTONE_CONFIG_FILES at ';'.
  if (preset.configEnv?.files) env[preset.configEnv.files] = configs.join(';');
  return env;
}

// A uWSGI ini without the AppArmor plugin and profile (for hosts without
// AppArmor, where uWSGI would die in aa_change_profile()).
export function stripAppArmor(ini: string): string {
  return ini
    .split('\n')
    .filter((line) => !/^\s*apparmor-profile\s*=/.test(line))
    .map((line) => {
      const plugins = /^(\s*plugins?\s*=\s*)(.*)$/.exec(line);
      if (!plugins) return line;
      const kept = (plugins[2] ?? '').split(',').map((p) => p.trim()).filter((p) => p && p !== 'apparmor');
      return kept.length > 0 ? `${plugins[1]}${kept.join(',')}` : `# ${line.trim()} (apparmor removed by hacloud)`;
    })
    .join('\n');
}

// Does the ini use the AppArmor plugin?
export const usesAppArmor = (ini: string): boolean => /^\s*(apparmor-profile\s*=|plugins?\s*=.*\bapparmor\b)/m.test(ini);
