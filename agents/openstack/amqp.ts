import {readFileSync} from 'node:fs';
import {ipFamily} from '../../lib/sys/net/ip-address';
import {descendants} from '../../lib/sys/process-tree';
import {connectionsTo, readTcpSockets, socketInodes, type Endpoint} from '../../lib/sys/tcp-connections';
import {configFiles, type Params} from './parameters';

export const AMQP_DEFAULT_PORT = 5672;

// The value of an option in the [DEFAULT] section of ini files; the last
// file that sets it wins, as in oslo.config.
export function iniDefault(texts: readonly string[], option: string): string | undefined {
  let found: string | undefined;
  for (const text of texts) {
    let section = '';
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      const header = /^\[(.+)\]$/.exec(line);
      if (header) {
        section = header[1] ?? '';
        continue;
      }
      if (section !== 'DEFAULT') continue;
      const pair = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(line);
      if (pair && pair[1] === option) found = pair[2]?.trim();
    }
  }
  return found;
}

// The brokers of an oslo.messaging transport_url
// (rabbit://user:pass@host1:5672,user:pass@[::1]:5672/vhost). The
// credentials are dropped here and never leave this function.
export function transportEndpoints(url: string): {host: string; port: number}[] {
  const match = /^[a-z0-9+]+:\/\/([^/?#]*)/i.exec(url.trim());
  if (!match) return [];
  const endpoints: {host: string; port: number}[] = [];
  for (const part of (match[1] ?? '').split(',')) {
    const hostPort = part.slice(part.lastIndexOf('@') + 1);
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
    const plain = /^([^:]+)(?::(\d+))?$/.exec(hostPort);
    const [host, port] = v6 ? [v6[1], v6[2]] : plain ? [plain[1], plain[2]] : [undefined, undefined];
    if (host) endpoints.push({host, port: port ? Number(port) : AMQP_DEFAULT_PORT});
  }
  return endpoints;
}

// The broker endpoints the RPC check looks for: amqp_host/amqp_port when
// set, else transport_url of the configuration, else any address on 5672.
// Host names are resolved (IPv4 and IPv6).
export async function brokerEndpoints(params: Params): Promise<Endpoint[]> {
  const port = params.amqp_port || undefined;
  let hosts: {host?: string; port: number}[];
  if (params.amqp_host) {
    hosts = [{host: params.amqp_host, port: port ?? AMQP_DEFAULT_PORT}];
  } else {
    const texts = configFiles(params).flatMap((file) => {
      try {
        return [readFileSync(file, 'utf8')];
      } catch {
        return [];
      }
    });
    const url = iniDefault(texts, 'transport_url');
    const fromUrl = url ? transportEndpoints(url).map((e) => ({host: e.host, port: port ?? e.port})) : [];
    hosts = fromUrl.length > 0 ? fromUrl : [{port: port ?? AMQP_DEFAULT_PORT}];
  }
  const endpoints: Endpoint[] = [];
  for (const {host, port: p} of hosts) {
    if (host === undefined) endpoints.push({port: p});
    else for (const address of await resolve(host)) endpoints.push({address, port: p});
  }
  return endpoints;
}

async function resolve(host: string): Promise<string[]> {
  if (ipFamily(host)) return [host];
  const {lookup} = require('node:dns') as typeof import('node:dns');
  return new Promise((done) => lookup(host, {all: true}, (error, found) => done(error ? [] : found.map((a) => a.address))));
}

// Does any process of the tree under `root` hold an ESTABLISHED connection to one of `endpoints`?
export function treeConnectedTo(root: number, endpoints: readonly Endpoint[]): boolean {
  const pids = [root, ...descendants(root).map((p) => p.pid)];
  return connectionsTo(readTcpSockets(root), socketInodes(pids), endpoints).length > 0;
}

export const describeEndpoints = (endpoints: readonly Endpoint[]): string =>
  endpoints.map((e) => (e.address === undefined ? `*:${e.port}` : `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`)).join(', ');
