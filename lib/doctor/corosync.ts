import {readFileSync} from 'node:fs';
import {result, under, type CheckResult, type DoctorContext} from './types';

// A section of corosync.conf: its `key: value` pairs and nested sections.
export interface CorosyncSection {
  name: string;
  values: Record<string, string>;
  sections: CorosyncSection[];
}

// corosync.conf: `name {`, `}`, `key: value` lines; # comments. Tolerant: an
// unclosed section ends at the end of the file.
export function parseCorosyncConf(text: string): CorosyncSection {
  const top: CorosyncSection = {name: '', values: {}, sections: []};
  const stack = [top];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const current = stack.at(-1) as CorosyncSection;
    const open = /^([\w.-]+)\s*\{$/.exec(line);
    if (open) {
      const section = {name: open[1] as string, values: {}, sections: []};
      current.sections.push(section);
      stack.push(section);
    } else if (line === '}') {
      if (stack.length > 1) stack.pop();
    } else {
      const pair = /^([\w.-]+)\s*:\s*(.*)$/.exec(line);
      if (pair) current.values[pair[1] as string] = (pair[2] as string).trim();
    }
  }
  return top;
}

const sections = (s: CorosyncSection, name: string): CorosyncSection[] => s.sections.filter((x) => x.name === name);

// (4) corosync: votequorum; two nodes with two_node: 1, or three or more
// nodes (expected_votes, when set, at least 3); never wait_for_all: 0.
export function checkCorosync(ctx: DoctorContext): CheckResult {
  const name = 'corosync quorum';
  const path = '/etc/corosync/corosync.conf';
  let conf: CorosyncSection;
  try {
    conf = parseCorosyncConf(readFileSync(under(ctx, path), 'utf8'));
  } catch (error) {
    return result(name, 'fail', `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message}`);
  }
  const quorum = sections(conf, 'quorum')[0]?.values ?? {};
  const nodes = sections(conf, 'nodelist').flatMap((n) => sections(n, 'node')).length;
  const problems: string[] = [];
  if (quorum.provider !== 'corosync_votequorum') problems.push(`quorum provider is ${quorum.provider ?? 'unset'}, not corosync_votequorum`);
  if (nodes === 2 && quorum.two_node !== '1') problems.push('two nodes but two_node is not 1');
  if (nodes < 2) problems.push(`the nodelist has ${nodes} node${nodes === 1 ? '' : 's'}`);
  if (nodes > 2 && quorum.two_node === '1') problems.push(`two_node: 1 with ${nodes} nodes`);
  if (nodes > 2 && quorum.expected_votes !== undefined && Number(quorum.expected_votes) < 3) problems.push(`expected_votes ${quorum.expected_votes} with ${nodes} nodes`);
  if (quorum.wait_for_all === '0') problems.push('wait_for_all: 0 (a node booting alone would fence the other and run alone)');
  if (problems.length > 0) return result(name, 'fail', problems.join('; '));
  return result(name, 'pass', nodes === 2 ? 'votequorum, two nodes, two_node: 1' : `votequorum, ${nodes} nodes`);
}
