import {readFileSync} from 'node:fs';
import {listPids} from './proc-list';
import {parseProcStat, type ProcStat} from './proc';

// Every live process below `root` (children, grandchildren ...), read from
// /proc. Daemons like Erlang's erl_child_setup call setsid, so a process
// group does not hold them: the parent links do.
export function descendants(root: number): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const stat of listProcesses()) {
    const siblings = byParent.get(stat.ppid) ?? [];
    siblings.push(stat);
    byParent.set(stat.ppid, siblings);
  }
  const found: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const children = byParent.get(queue.shift() as number) ?? [];
    for (const child of children) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

// Every live process (no zombies), read from /proc or another mount of it.
export function listProcesses(proc = '/proc'): ProcStat[] {
  const found: ProcStat[] = [];
  for (const pid of listPids(proc)) {
    let stat;
    try {
      stat = parseProcStat(readFileSync(`${proc}/${pid}/stat`, 'utf8'));
    } catch {
      continue;
    }
    if (stat && stat.state !== 'Z' && stat.state !== 'X') found.push(stat);
  }
  return found;
}
