import type {FencingFacts} from '../../lib/drbd/split-brain';
import {readFileSync} from 'node:fs';
import {run} from '../../lib/sys/exec';
import {readMarkers} from './facts';
import type {Session} from './session';

// A fencing decision already in the CIB: crm-fence-peer's
// drbd-fence-by-handler-<resource>-* location constraint, which forbids the
// promoted role everywhere except the node that had the good data.

export interface FenceConstraint {
  id: string;
  allowedOn: string;
}

// Parses the constraints section; pure, so it is tested on its own.
export async function parseFenceConstraints(xml: string, resource: string): Promise<FenceConstraint[]> {
  const {XMLParser} = await import('fast-xml-parser');
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ['rsc_location', 'rule', 'expression'].includes(name),
  }).parse(xml) as Record<string, unknown>;
  const found: FenceConstraint[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'rsc_location' && Array.isArray(value)) {
        for (const location of value as Record<string, unknown>[]) {
          const id = String(location.id ?? '');
          if (!id.startsWith(`drbd-fence-by-handler-${resource}-`)) continue;
          for (const rule of (location.rule as Record<string, unknown>[] | undefined) ?? []) {
            if (!/^(Master|Promoted)$/.test(String(rule.role ?? '')) || !/^-inf/i.test(String(rule.score ?? ''))) continue;
            for (const expression of (rule.expression as Record<string, unknown>[] | undefined) ?? []) {
              if (expression.attribute === '#uname' && expression.operation === 'ne' && expression.value) {
                found.push({id, allowedOn: String(expression.value)});
              }
            }
          }
        }
      } else if (typeof value === 'object') {
        visit(value);
      }
    }
  };
  visit(parsed);
  return found;
}

async function readConstraintsXml(session: Session): Promise<string | undefined> {
  const result = await run('cibadmin', ['--query', '--scope', 'constraints'], {
    deadline: session.ctx.deadline.slice({ms: 5000}),
    env: session.tools.env,
  });
  return result.ok ? result.stdout : undefined;
}

// Nodes fenced successfully at or after `since` (epoch ms), from
// `stonith_admin --history '*' --output-as=xml`: a node fenced after the
// split lost its writes' authority, whatever the heuristics say.
export async function parseFencedSince(xml: string, since: number): Promise<string[]> {
  const {XMLParser} = await import('fast-xml-parser');
  const parsed = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'fence_event'}).parse(xml) as {
    'pacemaker-result'?: {fence_history?: {fence_event?: Record<string, string>[]}};
  };
  const events = parsed['pacemaker-result']?.fence_history?.fence_event ?? [];
  const fenced = events
    .filter((e) => (e.status ?? e.state) === 'success' && e.target)
    .filter((e) => {
      const completed = parseCompleted(String(e.completed ?? ''));
      return Number.isFinite(completed) && completed >= since;
    })
    .map((e) => String(e.target));
  return [...new Set(fenced)];
}

// "Wed Nov 25 11:00:00 2026" (ctime style) or "2026-11-25 11:00:00 +00:00".
function parseCompleted(text: string): number {
  const direct = Date.parse(text);
  if (Number.isFinite(direct)) return direct;
  return Date.parse(text.replace(/ ([+-]\d\d):?(\d\d)$/, '$1:$2').replace(' ', 'T'));
}

// When this node's split-brain markers say the split began (epoch ms).
function splitSince(session: Session): number | undefined {
  const times = readMarkers(session)
    .map((path) => {
      try {
        return Date.parse((JSON.parse(readFileSync(path, 'utf8')) as {at?: string}).at ?? '');
      } catch {
        return Number.NaN;
      }
    })
    .filter(Number.isFinite);
  return times.length > 0 ? Math.min(...times) : undefined;
}

export async function readFencing(session: Session): Promise<FencingFacts> {
  const facts: FencingFacts = {};
  const xml = await readConstraintsXml(session);
  if (xml) {
    const allowed = [...new Set((await parseFenceConstraints(xml, session.resource)).map((c) => c.allowedOn))];
    if (allowed.length === 1) facts.masterAllowedOnlyOn = allowed[0] as string;
  }
  const since = splitSince(session);
  if (since !== undefined) {
    const history = await run('stonith_admin', ['--history', '*', '--output-as=xml'], {
      deadline: session.ctx.deadline.slice({ms: 5000}),
      env: session.tools.env,
    });
    if (history.ok) {
      const fenced = await parseFencedSince(history.stdout, since);
      if (fenced.length > 0) facts.fencedNodes = fenced;
    }
  }
  return facts;
}

// Once both disks are UpToDate again the fence constraint is stale.
export async function removeFenceConstraints(session: Session): Promise<void> {
  const xml = await readConstraintsXml(session);
  if (!xml) return;
  for (const constraint of await parseFenceConstraints(xml, session.resource)) {
    const result = await run('cibadmin', ['--delete', '--xml-text', `<rsc_location id="${constraint.id}"/>`], {
      deadline: session.ctx.deadline.slice({ms: 5000}),
      env: session.tools.env,
    });
    if (result.ok) session.ctx.log.info(`removed stale fence constraint ${constraint.id}`);
  }
}
