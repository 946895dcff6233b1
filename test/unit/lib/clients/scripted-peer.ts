import {mkdtempSync, rmSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

// Unix-socket servers that play a scripted peer for client tests, in a
// throw-away directory; each test's servers are closed after it.
export function scriptedPeers(prefix: string): {serve(onConnection: (socket: Socket) => void): Promise<string>; dir(): string} {
  let dir = '';
  let servers: Server[] = [];
  let counter = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    servers = [];
  });
  afterAll(() => rmSync(dir, {recursive: true, force: true}));
  return {
    async serve(onConnection) {
      const path = join(dir, `s${++counter}.sock`);
      const server = createServer(onConnection);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(path, resolve));
      return path;
    },
    dir: () => dir,
  };
}
