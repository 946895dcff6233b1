// The lab's client (the switch namespace, 203.0.113.254) talking to the
// controller's services through the VIP: a keystone token, a keystone
// project, an AMQP login, an API's HTTP status. Secrets travel on stdin,
// never in an argument.
import {join} from 'node:path';
import type {ControllerFiles, Service} from './controller-setup';
import {AMQP_PORT, KEYSTONE_URL, RABBIT_USER, SERVICES} from './controller-setup';
import type {Lab} from './lab';
import {VIP} from './mysql-stack-setup';

const AMQP_LOGIN = join(__dirname, 'amqp-login.cjs');

export interface HttpAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

// One HTTP request with curl from the client; `body` goes on stdin. Status 0: no answer.
export async function clientHttp(lab: Lab, method: string, url: string,
  opts: {body?: string; headers?: Record<string, string>; timeoutS?: number} = {}): Promise<HttpAnswer> {
  // -i: the response head, then the body, on stdout (the client's stdio are sockets, which /dev/stderr cannot name).
  const argv = ['curl', '-sS', '-i', '-X', method, '--max-time', String(opts.timeoutS ?? 10),
    ...Object.entries(opts.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ...(opts.body === undefined ? [] : ['-H', 'Content-Type: application/json', '--data-binary', '@-']), url];
  const r = await lab.client(argv, {timeoutMs: (opts.timeoutS ?? 10) * 1000 + 5000, ...(opts.body === undefined ? {} : {input: opts.body})});
  // Heads in order (a 100 Continue first, maybe), the last one the answer's.
  let rest = r.stdout;
  let head = '';
  while (/^HTTP\//.test(rest)) {
    const end = rest.search(/\r?\n\r?\n/);
    head = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? '' : rest.slice(end).replace(/^\r?\n\r?\n/, '');
  }
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)?.[1] ?? 0);
  const headers = new Map(head.split(/\r?\n/).slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
  }));
  return {status, headers, body: rest};
}

const adminAuth = (c: ControllerFiles): string => JSON.stringify({auth: {
  identity: {methods: ['password'], password: {user: {name: 'admin', domain: {name: 'Default'}, password: c.adminPassword}}},
  scope: {project: {name: 'admin', domain: {name: 'Default'}}},
}});

// A project-scoped token for keystone's admin through the VIP: {status, token}.
export async function keystoneToken(lab: Lab, c: ControllerFiles): Promise<{status: number; token?: string}> {
  const r = await clientHttp(lab, 'POST', `${KEYSTONE_URL}/auth/tokens`, {body: adminAuth(c)});
  return {status: r.status, token: r.headers.get('x-subject-token')};
}

// Keystone's verdict on a token (GET /v3/auth/tokens): 200 when it is valid.
export async function validateToken(lab: Lab, auth: string, subject: string): Promise<number> {
  return (await clientHttp(lab, 'GET', `${KEYSTONE_URL}/auth/tokens`, {headers: {'X-Auth-Token': auth, 'X-Subject-Token': subject}})).status;
}

// Creates a project (a row in keystone's database); returns its id.
export async function createProject(lab: Lab, token: string, name: string): Promise<string> {
  const r = await clientHttp(lab, 'POST', `${KEYSTONE_URL}/projects`, {
    headers: {'X-Auth-Token': token}, body: JSON.stringify({project: {name, domain_id: 'default'}}),
  });
  if (r.status !== 201) throw new Error(`POST /v3/projects answered ${r.status}: ${r.body.slice(0, 200)}`);
  return (JSON.parse(r.body) as {project: {id: string}}).project.id;
}

// The ids of projects with that name.
export async function projectIds(lab: Lab, token: string, name: string): Promise<string[]> {
  const r = await clientHttp(lab, 'GET', `${KEYSTONE_URL}/projects?name=${encodeURIComponent(name)}`, {headers: {'X-Auth-Token': token}});
  if (r.status !== 200) throw new Error(`GET /v3/projects answered ${r.status}: ${r.body.slice(0, 200)}`);
  return (JSON.parse(r.body) as {projects: {id: string}[]}).projects.map((p) => p.id);
}

// The HTTP status of an API's root (keystone: /v3) through the VIP; 0 when nothing answers.
export async function apiStatus(lab: Lab, service: Exclude<Service, 'heat-engine'>): Promise<number> {
  const path = service === 'keystone' ? '/v3' : '/';
  return (await clientHttp(lab, 'GET', `http://${VIP}:${SERVICES[service]}${path}`, {timeoutS: 5})).status;
}

// What an API answering means here: 2xx, 3xx (version lists) or 401.
export const answers = (status: number): boolean => (status >= 200 && status < 400) || status === 401;

// An AMQP 0-9-1 login through the VIP (amqplib: PLAIN, a channel, a server-named queue): 'ok' or why not.
export async function amqpLogin(lab: Lab, password: string, user = RABBIT_USER): Promise<string> {
  const r = await lab.client([process.execPath, AMQP_LOGIN, VIP, String(AMQP_PORT), user], {input: `${password}\n`, timeoutMs: 20_000});
  return r.exitCode === 0 ? 'ok' : (r.stdout.trim() || r.stderr.trim() || `exit ${r.exitCode}`);
}
