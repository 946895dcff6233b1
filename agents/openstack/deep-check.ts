import {readFileSync, renameSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {httpRequest} from '../../lib/clients/http-request';
import {requestToken, type KeystoneCredentials, type KeystoneToken} from '../../lib/clients/http-keystone-token';
import {ArgsError} from '../../lib/ocf';
import {readSecretFile} from '../../lib/sys/secret-file';
import type {Check} from './checks';
import {probeAddress, type Ctx} from './parameters';
import type {Preset} from './preset';

// A cached token is used until this long before it expires.
const EXPIRY_MARGIN_MS = 120_000;
const REQUEST_MS = 10_000;

// Parses the key=value credentials file (comments with #, blank lines ignored).
export function parseCredentials(text: string): KeystoneCredentials | {missing: string[]} {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const missing = ['auth_url', 'username', 'password', 'project_name'].filter((k) => !values.get(k));
  if (missing.length > 0) return {missing};
  return {
    authUrl: values.get('auth_url') as string,
    username: values.get('username') as string,
    password: values.get('password') as string,
    projectName: values.get('project_name') as string,
    userDomainName: values.get('user_domain_name') || 'Default',
    projectDomainName: values.get('project_domain_name') || 'Default',
  };
}

// Reads the credentials file: it must belong to root and be readable by nobody else.
export function readCredentials(path: string): KeystoneCredentials {
  const text = readSecretFile(path, 'credentials file');
  const parsed = parseCredentials(text);
  if ('missing' in parsed) throw new ArgsError(`credentials file ${path} lacks ${parsed.missing.join(', ')}`);
  return parsed;
}

interface CachedToken extends KeystoneToken {
  // Whose token it is (auth_url, user, project): a changed file mints a new one.
  owner: string;
}

const ownerOf = (c: KeystoneCredentials): string => [c.authUrl, c.userDomainName, c.username, c.projectDomainName, c.projectName].join('\n');

function loadToken(file: string, owner: string): KeystoneToken | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedToken;
    return cached.owner === owner && cached.expiresAt - Date.now() > EXPIRY_MARGIN_MS ? cached : undefined;
  } catch {
    return undefined;
  }
}

function saveToken(file: string, owner: string, token: KeystoneToken): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({...token, owner}), {mode: 0o600});
  renameSync(temporary, file);
}

// Depth 20: a Keystone v3 token (cached in the state directory until it
// expires) and an authenticated GET of deep_check_path that must answer
// 2xx. Without a credentials file the check is skipped with a warning. When
// Keystone cannot issue a token, only the keystone agent fails: another
// service is not restarted for Keystone's outage.
export async function checkDeep(ctx: Ctx, preset: Preset): Promise<Check> {
  if (!ctx.params.credentials) {
    ctx.log.warn('monitor depth 20 needs the credentials parameter: authenticated check skipped');
    return {ok: true};
  }
  if (!ctx.params.deep_check_path || !ctx.params.port) return {ok: true};
  const credentials = readCredentials(ctx.params.credentials);
  ctx.log.redact(credentials.password);
  const owner = ownerOf(credentials);
  const cache = join(ctx.stateDir(), 'keystone-token.json');
  for (const attempt of [1, 2]) {
    let token = attempt === 1 ? loadToken(cache, owner) : undefined;
    if (!token) {
      const minted = await requestToken(credentials, ctx.deadline.slice({ms: REQUEST_MS}));
      if (minted.kind === 'failed') {
        if (preset.name === 'keystone') return {ok: false, reason: `Keystone issues no token: ${minted.reason}`};
        ctx.log.warn(`depth 20 skipped: Keystone issues no token (${minted.reason})`);
        return {ok: true};
      }
      token = minted.token;
      saveToken(cache, owner, token);
      ctx.log.debug(`new Keystone token, expires ${new Date(token.expiresAt).toISOString()}`);
    }
    ctx.log.redact(token.token);
    const path = ctx.params.deep_check_path.replace('{project_id}', token.projectId);
    const answer = await httpRequest({
      host: probeAddress(ctx.params.bind_address),
      port: ctx.params.port,
      path,
      headers: {'X-Auth-Token': token.token},
      deadline: ctx.deadline.slice({ms: REQUEST_MS}),
      maxBytes: 4096,
    });
    if (answer.kind === 'failed') return {ok: false, reason: `authenticated GET ${path}: ${answer.reason}`};
    // A revoked or rotated-away token: mint a new one once.
    if (answer.status === 401 && attempt === 1) continue;
    if (answer.status >= 200 && answer.status < 300) return {ok: true};
    return {ok: false, reason: `authenticated GET ${path} answered ${answer.status}`};
  }
  return {ok: false, reason: 'unreachable'};
}
