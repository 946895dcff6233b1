import {closeSync, openSync, writeSync} from 'node:fs';

// A newc ("070701") cpio writer: the kernel's initramfs format. Written by
// hand so device nodes (/dev/console) and root ownership need no root
// privileges or cpio binary on the host.

export type CpioEntry =
  | {kind: 'dir'; path: string; mode?: number}
  | {kind: 'file'; path: string; data: Buffer; mode?: number}
  | {kind: 'symlink'; path: string; target: string}
  | {kind: 'char'; path: string; major: number; minor: number; mode?: number};

const hex = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, name: string, rdev: [number, number] = [0, 0]): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
  const head = Buffer.from(`070701${fields.map(hex).join('')}`);
  return Buffer.concat([head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length))]);
}

export function writeCpio(path: string, entries: CpioEntry[]): void {
  const fd = openSync(path, 'w');
  try {
    let ino = 1;
    const put = (buf: Buffer) => writeSync(fd, buf);
    for (const e of entries) {
      const name = e.path.replace(/^\/+/, '');
      switch (e.kind) {
        case 'dir':
          put(header(ino++, 0o040000 | (e.mode ?? 0o755), 0, name));
          break;
        case 'file':
          put(header(ino++, 0o100000 | (e.mode ?? 0o644), e.data.length, name));
          put(e.data);
          put(Buffer.alloc(pad4(e.data.length)));
          break;
        case 'symlink': {
          const data = Buffer.from(e.target);
          put(header(ino++, 0o120000 | 0o777, data.length, name));
          put(data);
          put(Buffer.alloc(pad4(data.length)));
          break;
        }
        case 'char':
          put(header(ino++, 0o020000 | (e.mode ?? 0o600), 0, name, [e.major, e.minor]));
          break;
      }
    }
    put(header(0, 0, 0, 'TRAILER!!!'));
  } finally {
    closeSync(fd);
  }
}
