import {chownSync, existsSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {GenericError, OCF} from '../../lib/ocf';
import {startDaemon} from '../../lib/sys/daemon';
import {ensureDirectory} from '../../lib/sys/directories';
import {tcpConnect} from '../../lib/sys/tcp-connect';
import {invocation, stripAppArmor, usesAppArmor} from './command';
import {requireInstalled, type ServiceAccount} from './environment';
import {checkService} from './monitor';
import {probeAddress, type Ctx} from './parameters';
import type {DaemonSpec, Preset} from './preset';
import {daemonStates, pidfileOf, stopDaemons, type DaemonState} from './processes';

// Part of the start deadline kept to stop a service that did not come up.
const STOP_RESERVE_FRACTION = 0.2;

// Start: 0 at once when every daemon runs and passes the depth-10 checks.
// Otherwise start the missing daemons in their own sessions as user, and
// return when the service passes the checks of monitor depth 10 (listener
// and HTTP check for APIs, broker connection for RPC daemons). A service that
// exits or does not pass in time fails the start (1), quoting its log, and
// is not left running.
export function startFor(preset: Preset) {
  return async (ctx: Ctx) => {
    let states = daemonStates(ctx, preset);
    if (states.some((s) => !s.process)) {
      // Processes left by a daemon whose leader died (killed uWSGI master).
      await stopDaemons(ctx, states.filter((s) => !s.process && s.record));
      const account = await requireInstalled(ctx, preset);
      if (states.every((s) => !s.process)) await refuseForeignListener(ctx);
      for (const state of states) if (!state.process) await launch(ctx, preset, state.daemon, account);
      states = daemonStates(ctx, preset);
    } else {
      ctx.log.info('already running; waiting for it to pass its checks');
    }
    return waitUntilReady(ctx, preset, states);
  };
}

// A port someone else listens on: our daemon would fail to bind, or the
// monitor would judge the other process.
async function refuseForeignListener(ctx: Ctx): Promise<void> {
  if (!ctx.params.port) return;
  const address = probeAddress(ctx.params.bind_address);
  const result = await tcpConnect(address, ctx.params.port, ctx.deadline.slice({ms: 2000}));
  if (result.kind === 'connected') {
    throw new GenericError(`something this resource did not start listens on ${address}:${ctx.params.port}; stop it (and disable its systemd unit) first`);
  }
}

async function launch(ctx: Ctx, preset: Preset, daemon: DaemonSpec, account: ServiceAccount): Promise<void> {
  const ini = daemon.command.kind === 'uwsgi' ? iniToUse(ctx, daemon) : undefined;
  const command = invocation(preset, daemon, ctx.params, {...(ini ? {ini} : {}), owner: account});
  const logDir = dirname(command.logFile);
  if (!existsSync(logDir)) {
    ensureDirectory(logDir, 0o750);
    chownSync(logDir, account.uid, account.gid);
  }
  const pidfile = pidfileOf(ctx, preset, daemon);
  ctx.stateDir();
  ensureDirectory(dirname(pidfile));
  const record = await startDaemon({
    file: command.file,
    args: command.args,
    pidfile,
    logFile: command.logFile,
    env: {...serviceEnvironment(), ...command.env},
    cwd: '/',
    // uWSGI and apache2 drop privileges themselves; a plain daemon is started as user.
    ...(daemon.command.kind === 'daemon' ? {uid: account.uid, gid: account.gid} : {}),
  });
  ctx.log.info(`started ${daemon.id}: ${command.file} ${command.args.join(' ')} (pid ${record.pid})`);
}

// The ini uWSGI reads: the parameter's, or a copy without the AppArmor
// plugin when the host has no AppArmor (apparmor=auto) or when asked (strip).
function iniToUse(ctx: Ctx, daemon: DaemonSpec): string {
  const ini = ctx.params.wsgi_ini;
  if (ctx.params.apparmor === 'keep') return ini;
  const text = readFileSync(ini, 'utf8');
  const hostHasAppArmor = existsSync('/sys/kernel/security/apparmor');
  if (!usesAppArmor(text) || (ctx.params.apparmor === 'auto' && hostHasAppArmor)) return ini;
  const copy = join(ctx.stateDir(), `${daemon.id}-uwsgi.ini`);
  writeFileSync(copy, stripAppArmor(text), {mode: 0o644});
  ctx.log.info(`${ini} loads the apparmor plugin${hostHasAppArmor ? '' : ' and this host has no AppArmor'}: using ${copy} without it`);
  return copy;
}

async function waitUntilReady(ctx: Ctx, preset: Preset, states: readonly DaemonState[]) {
  const window = ctx.deadline.slice({fraction: 1 - STOP_RESERVE_FRACTION});
  let last = 'not checked yet';
  let exited: string | undefined;
  const ready = await window.poll(async () => {
    const now = daemonStates(ctx, preset);
    exited = now.find((s) => !s.process)?.daemon.id;
    if (exited) return true;
    const budget = window.remainingMs();
    const result = await checkService(ctx, preset, now, 10, window);
    if (result.ok) return true;
    // A check cut short by the end of the window says less than the one before.
    if (budget > 1000 || last === 'not checked yet') last = result.reason;
    return false;
  }, 250);
  if (ready && !exited) {
    ctx.log.info(`${preset.name} is up and passes its checks`);
    return OCF.SUCCESS;
  }
  await stopDaemons(ctx, daemonStates(ctx, preset));
  const cause = exited ? `${exited} exited during start` : `did not pass its checks in time (${last}); stopped it`;
  return {code: OCF.ERR_GENERIC, reason: `${cause}. Log ${ctx.params.log_file}: ${logTail(ctx.params.log_file)}`};
}

// The last lines of a log, for an exit reason.
function logTail(file: string): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 4096));
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.slice(-3).join(' | ').slice(-400) || '(empty)';
  } catch {
    return '(unreadable)';
  }
}

// The service's environment: the agent's without Pacemaker's OCF_/HA_/PCMK_ variables.
function serviceEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(OCF_|HA_|PCMK_)/.test(key)));
  env.PATH ??= '/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}
