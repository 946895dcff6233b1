import {ConfigError} from '../../lib/ocf';
import type {AmqpLogin} from '../../lib/clients/amqp-session';
import type {Ctx} from './parameters';
import {readPassword} from './secret-files';
import {connectAddress} from './server-env';

// The log-in of the depth-10 check; check_user and check_password_file
// unset is a configuration error (6). The password is registered with the
// logger so no later message can show it.
export function checkLogin(ctx: Ctx): Omit<AmqpLogin, 'deadline'> {
  const {check_user: user, check_password_file: file} = ctx.params;
  if (user === undefined || file === undefined) {
    throw new ConfigError('monitor depth 10 needs check_user and check_password_file');
  }
  const password = readPassword(file);
  ctx.log.redact(password);
  return {host: connectAddress(ctx.params.ip), port: ctx.params.port, vhost: ctx.params.check_vhost, user, password};
}
