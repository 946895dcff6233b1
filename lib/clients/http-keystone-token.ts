import type {Deadline} from '../ocf/deadline';
import {httpRequest} from './http-request';

export interface KeystoneCredentials {
  // The v3 endpoint, e.g. http://192.0.2.10:5000/v3
  authUrl: string;
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

export interface KeystoneToken {
  token: string;
  // Milliseconds since the epoch.
  expiresAt: number;
  projectId: string;
}

export type TokenResult = {kind: 'token'; token: KeystoneToken} | {kind: 'failed'; status?: number; reason: string};

export interface HttpEndpoint {
  host: string;
  port: number;
  // The path prefix of the URL, without a trailing slash.
  base: string;
}

// host, port and path of an http:// URL (https is not spoken here).
export function splitHttpUrl(url: string): HttpEndpoint | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:') return undefined;
  return {host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port || 80), base: parsed.pathname.replace(/\/+$/, '')};
}

// The body of POST /v3/auth/tokens: password method, project scope.
export const tokenRequestBody = (c: KeystoneCredentials): unknown => ({
  auth: {
    identity: {methods: ['password'], password: {user: {name: c.username, domain: {name: c.userDomainName}, password: c.password}}},
    scope: {project: {name: c.projectName, domain: {name: c.projectDomainName}}},
  },
});

// Gets a project-scoped Keystone v3 token (201 with X-Subject-Token).
// The password travels in the request body only; nothing here logs.
export async function requestToken(credentials: KeystoneCredentials, deadline: Deadline): Promise<TokenResult> {
  const endpoint = splitHttpUrl(credentials.authUrl);
  if (!endpoint) return {kind: 'failed', reason: 'auth_url is not an http:// URL'};
  const post = () =>
    httpRequest({host: endpoint.host, port: endpoint.port, method: 'POST', path: `${endpoint.base}/auth/tokens`, json: tokenRequestBody(credentials), deadline});
  let answer = await post();
  // Keystone under uWSGI sometimes resets the connection of a refused
  // login before the client reads the 401: ask once more.
  if (answer.kind === 'failed' && answer.reason.endsWith('ECONNRESET') && !deadline.expired()) answer = await post();
  if (answer.kind === 'failed') return {kind: 'failed', reason: `POST ${endpoint.base}/auth/tokens: ${answer.reason}`};
  if (answer.status !== 201) return {kind: 'failed', status: answer.status, reason: `POST ${endpoint.base}/auth/tokens answered ${answer.status}`};
  const token = answer.headers['x-subject-token'];
  let body: {token?: {expires_at?: string; project?: {id?: string}}} = {};
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    // checked below
  }
  const expiresAt = Date.parse(body.token?.expires_at ?? '');
  if (typeof token !== 'string' || !Number.isFinite(expiresAt)) {
    return {kind: 'failed', status: 201, reason: 'the token answer lacks X-Subject-Token or expires_at'};
  }
  return {kind: 'token', token: {token, expiresAt, projectId: body.token?.project?.id ?? ''}};
}
