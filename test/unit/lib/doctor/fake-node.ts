import {chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import type {CibFacts, CibPrimitive} from '../../../../lib/doctor/cib';
import {planDoctor} from '../../../../lib/doctor/plan';
import type {DoctorContext} from '../../../../lib/doctor/types';

// A node's files in a temporary directory under /var/tmp, for --root.
export class FakeNode {
  readonly root = mkdtempSync('/var/tmp/hacloud-doctor-');

  file(path: string, content: string, mode = 0o644): string {
    const full = join(this.root, path);
    mkdirSync(dirname(full), {recursive: true});
    writeFileSync(full, content);
    chmodSync(full, mode);
    return full;
  }

  link(path: string, target: string): void {
    const full = join(this.root, path);
    mkdirSync(dirname(full), {recursive: true});
    symlinkSync(target, full);
  }

  // A process in the fake /proc.
  process(pid: number, comm: string, ppid: number, argv: string[] = [comm]): void {
    this.file(`/proc/${pid}/stat`, `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 ${1000 + pid} 1000 10`);
    this.file(`/proc/${pid}/cmdline`, `${argv.join('\0')}\0`);
  }

  remove(): void {
    rmSync(this.root, {recursive: true, force: true});
  }
}

// A CIB running these hacloud agents (with these parameters), plus extra primitives.
export function cibOf(agents: Record<string, Record<string, string>>, extra: Partial<CibPrimitive>[] = [], properties: Record<string, string> = {}): CibFacts {
  return {
    properties,
    primitives: [
      ...Object.entries(agents).map(([type, params]) => ({id: type, class: 'ocf', provider: 'hacloud', type, params})),
      ...extra.map((p) => ({id: 'x', class: 'ocf', provider: 'heartbeat', type: 'Dummy', params: {}, ...p})),
    ],
  };
}

// A context on the fake node whose plan comes from the CIB.
export async function contextOf(node: FakeNode, cib: CibFacts | undefined, more: Partial<DoctorContext> = {}): Promise<DoctorContext> {
  return {root: node.root, plan: await planDoctor({cib}), cib, ...more};
}
