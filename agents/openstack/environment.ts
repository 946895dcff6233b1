import {existsSync} from 'node:fs';
import {ArgsError, NotInstalledError, PermError} from '../../lib/ocf';
import {lookupAccount} from '../../lib/sys/accounts';
import {findBinary} from '../../lib/sys/binaries';
import {enabledUnits} from '../../lib/sys/systemd-units';
import {configFiles, type Ctx} from './parameters';
import type {Preset} from './preset';

export interface ServiceAccount {
  uid: number;
  gid: number;
}

// What start needs on this node: the program (5), the uWSGI ini and the
// configuration files (5), the user and group (2), root (4).
export async function requireInstalled(ctx: Ctx, preset: Preset): Promise<ServiceAccount> {
  if (!findBinary(ctx.params.binary, ctx.env.raw)) throw new NotInstalledError(`${ctx.params.binary} not found or not executable`);
  const files = [...(preset.daemons[0]?.command.kind === 'uwsgi' ? [ctx.params.wsgi_ini] : []), ...configFiles(ctx.params)];
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new NotInstalledError(`missing ${missing.join(', ')}`);
  const user = await lookupAccount('passwd', ctx.params.user, ctx.deadline);
  if (!user) throw new ArgsError(`user ${ctx.params.user} does not exist`);
  const group = await lookupAccount('group', ctx.params.group, ctx.deadline);
  if (!group) throw new ArgsError(`group ${ctx.params.group} does not exist`);
  if (process.geteuid?.() !== 0 && process.geteuid?.() !== user.id) throw new PermError(`${ctx.action} must run as root`);
  return {uid: user.id, gid: group.id};
}

// validate-all at depth 10: start could run here; warns about enabled distro units.
export function checkEnvironmentFor(preset: Preset) {
  return async (ctx: Ctx): Promise<void> => {
    await requireInstalled(ctx, preset);
    // A service started outside Pacemaker confuses the cluster.
    for (const unit of enabledUnits(preset.units)) {
      ctx.log.warn(`systemd unit ${unit}.service is enabled: disable and mask it (systemctl disable --now ${unit}; systemctl mask ${unit}) so that only Pacemaker starts ${preset.name}`);
    }
  };
}
