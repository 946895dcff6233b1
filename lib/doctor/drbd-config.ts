import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {param, result, under, type CheckResult, type DoctorContext} from './types';

// One statement of drbd.conf: its words, and its { block } if it has one.
export interface DrbdStatement {
  words: string[];
  block?: DrbdStatement[];
}

// The tokens of drbd.conf: words, "quoted strings" (unquoted), { } ;.
// Comments run from # to the end of the line.
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /#[^\n]*|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};"#]+)/g;
  for (const m of text.matchAll(pattern)) {
    if (m[0].startsWith('#')) continue;
    tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[0]);
  }
  return tokens;
}

// A tolerant parser: an unclosed block ends at the end of the text, a stray
// } or ; is ignored. `include` statements stay in the tree (see loadDrbdConfig).
export function parseDrbdConfig(text: string): DrbdStatement[] {
  const tokens = tokenize(text);
  let at = 0;
  const parseBlock = (): DrbdStatement[] => {
    const out: DrbdStatement[] = [];
    let words: string[] = [];
    while (at < tokens.length) {
      const t = tokens[at++] as string;
      if (t === '}') break;
      if (t === ';') {
        if (words.length > 0) out.push({words});
        words = [];
      } else if (t === '{') {
        out.push({words, block: parseBlock()});
        words = [];
      } else words.push(t);
    }
    if (words.length > 0) out.push({words});
    return out;
  };
  const top: DrbdStatement[] = [];
  while (at < tokens.length) top.push(...parseBlock());
  return top;
}

// drbd.conf with its includes expanded in place (`include "drbd.d/*.res";`,
// relative to the including file; `*` in the file name only). `read` maps a
// configuration path to the real file (a root prefix in tests).
export function loadDrbdConfig(path: string, read: (path: string) => string, list: (dir: string) => string[], depth = 0): DrbdStatement[] {
  const expand = (statements: DrbdStatement[]): DrbdStatement[] =>
    statements.flatMap((s) => {
      if (s.words[0] !== 'include' || !s.words[1] || depth > 8) return [s.block ? {...s, block: expand(s.block)} : s];
      const pattern = s.words[1].startsWith('/') ? s.words[1] : join(dirname(path), s.words[1]);
      const dir = dirname(pattern);
      const glob = new RegExp(`^${pattern.slice(dir.length + 1).replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      return list(dir).filter((name) => glob.test(name)).sort().flatMap((name) => loadDrbdConfig(join(dir, name), read, list, depth + 1));
    });
  return expand(parseDrbdConfig(read(path)));
}

// The first statement named `keyword` in a tree, depth first.
const find = (statements: readonly DrbdStatement[], keyword: string): DrbdStatement | undefined => {
  for (const s of statements) {
    if (s.words[0] === keyword) return s;
    const inner = s.block ? find(s.block, keyword) : undefined;
    if (inner) return inner;
  }
  return undefined;
};

// The handlers in force for a resource: common's, overridden by the resource's.
const handlers = (common: readonly DrbdStatement[], resource: readonly DrbdStatement[]): Map<string, string> => {
  const out = new Map<string, string>();
  for (const tree of [common, resource]) {
    for (const s of find(tree, 'handlers')?.block ?? []) if (s.words[0]) out.set(s.words[0], s.words.slice(1).join(' '));
  }
  return out;
};

// What a resource's configuration lacks for hacloud's fencing and split-brain handling.
export function drbdResourceProblems(common: readonly DrbdStatement[], resource: readonly DrbdStatement[]): string[] {
  const problems: string[] = [];
  const fencing = (find(resource, 'fencing') ?? find(common, 'fencing'))?.words[1];
  if (fencing !== 'resource-and-stonith') problems.push(`fencing is ${fencing ?? 'unset'}, not resource-and-stonith`);
  const h = handlers(common, resource);
  for (const handler of ['split-brain', 'initial-split-brain']) {
    if (!/\bdrbd-split-brain\b/.test(h.get(handler) ?? '')) problems.push(`handler ${handler} is not "hacloud drbd-split-brain"`);
  }
  for (const handler of ['fence-peer', 'after-resync-target']) if (!h.get(handler)) problems.push(`handler ${handler} unset`);
  return problems;
}

// (3) DRBD: the configured resource defined, with fencing resource-and-stonith
// and the handlers hacloud relies on.
export function checkDrbdConfig(ctx: DoctorContext): CheckResult {
  const name = 'drbd config';
  const conf = param(ctx, 'drbd', 'drbdconf') || '/etc/drbd.conf';
  let tree: DrbdStatement[];
  try {
    tree = loadDrbdConfig(conf, (p) => readFileSync(under(ctx, p), 'utf8'), (dir) => {
      try {
        return readdirSync(under(ctx, dir));
      } catch {
        return [];
      }
    });
  } catch (error) {
    return result(name, 'fail', `${conf}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (error as Error).message}`);
  }
  const common = tree.filter((s) => s.words[0] === 'common').flatMap((s) => s.block ?? []);
  const resources = tree.filter((s) => s.words[0] === 'resource' && s.words[1]);
  const wanted = param(ctx, 'drbd', 'drbd_resource');
  const checked = wanted ? resources.filter((r) => r.words[1] === wanted) : resources;
  if (checked.length === 0) {
    return result(name, 'fail', wanted ? `resource ${wanted} not defined in ${conf} (defined: ${resources.map((r) => r.words[1]).join(', ') || 'none'})` : `no resource defined in ${conf}`);
  }
  const problems = checked.flatMap((r) => drbdResourceProblems(common, r.block ?? []).map((p) => `${r.words[1]}: ${p}`));
  if (problems.length > 0) return result(name, 'fail', problems.join('; '));
  return result(name, 'pass', `${checked.map((r) => r.words[1]).join(', ')}: fencing resource-and-stonith, split-brain and fence handlers set`);
}
