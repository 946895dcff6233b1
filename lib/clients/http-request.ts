import type {IncomingHttpHeaders} from 'node:http';
import type {Deadline} from '../ocf/deadline';

export interface HttpRequest {
  host: string;
  port: number;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  // A JSON body (POST).
  json?: unknown;
  deadline: Deadline;
  // The body is cut after this many bytes (health documents are small).
  maxBytes?: number;
}

export type HttpResult =
  | {kind: 'answer'; status: number; headers: IncomingHttpHeaders; body: string}
  | {kind: 'failed'; reason: string};

// One HTTP/1.1 request without keep-alive, bounded by the deadline; never
// throws. An answer without Content-Length ends when the server closes the
// connection (uWSGI with Debian's `rem-header = Content-Length`); a reset
// after the status line still yields the answer read so far. node:http is required here, on the paths that speak HTTP only.
export function httpRequest(request: HttpRequest): Promise<HttpResult> {
  const {request: send} = require('node:http') as typeof import('node:http');
  const where = `${request.host.includes(':') ? `[${request.host}]` : request.host}:${request.port}`;
  const limit = request.maxBytes ?? 256 * 1024;
  const payload = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
  return new Promise<HttpResult>((resolve) => {
    let settled = false;
    const finish = (result: HttpResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const ms = Math.max(1, request.deadline.remainingMs());
    const timer = setTimeout(() => finish({kind: 'failed', reason: `no answer from ${where}${request.path} within ${ms} ms`}), ms);
    const req = send(
      {
        host: request.host,
        port: request.port,
        method: request.method ?? 'GET',
        path: request.path,
        agent: false,
        headers: {
          Accept: 'application/json',
          Connection: 'close',
          'User-Agent': 'hacloud',
          ...(payload ? {'Content-Type': 'application/json', 'Content-Length': String(payload.length)} : {}),
          ...request.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({kind: 'answer', status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8')});
        answered = done;
        response.on('data', (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
          if (size >= limit) done();
        });
        response.on('end', done);
        response.on('error', done);
        response.on('aborted', done);
      },
    );
    let answered: (() => void) | undefined;
    req.on('error', (error) => {
      if (answered) answered();
      else finish({kind: 'failed', reason: `${where}${request.path}: ${(error as NodeJS.ErrnoException).code ?? error.message}`});
    });
    req.end(payload);
  });
}
