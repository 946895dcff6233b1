import {readCredentials, type Credentials} from '../../lib/clients/mysql-credentials';
import {ConfigError} from '../../lib/ocf';
import type {Ctx} from './parameters';

// The credentials an action cannot do without (monitor depth 10 and 20):
// unset is a configuration error (6); an unusable file 2, an unsafe one 4.
export function requireCredentials(ctx: Ctx, what: string): Credentials {
  const path = ctx.params.credentials;
  if (path === undefined) throw new ConfigError(`${what} needs the credentials parameter (a root-only defaults file with user= and password=)`);
  const credentials = readCredentials(path);
  ctx.log.redact(credentials.password);
  warnIgnored(ctx, credentials);
  return credentials;
}

// Credentials an action uses when it can (the depth-0 log-in, SHUTDOWN in
// stop); any problem with the file is logged and the action goes on without.
export function optionalCredentials(ctx: Ctx, purpose: string): Credentials | undefined {
  const path = ctx.params.credentials;
  if (path === undefined) return undefined;
  try {
    const credentials = readCredentials(path);
    ctx.log.redact(credentials.password);
    return credentials;
  } catch (error) {
    ctx.log.warn(`${(error as Error).message}: ${purpose} without credentials`);
    return undefined;
  }
}

function warnIgnored(ctx: Ctx, credentials: Credentials): void {
  if (credentials.ignored.length > 0) ctx.log.warn(`credentials file ${ctx.params.credentials}: not followed: ${credentials.ignored.join(', ')}`);
}
