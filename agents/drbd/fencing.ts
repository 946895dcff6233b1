import type {FencingFacts} from '../../lib/drbd/split-brain';
import {run} from '../../lib/sys/exec';
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

export async function readFencing(session: Session): Promise<FencingFacts> {
  const xml = await readConstraintsXml(session);
  if (!xml) return {};
  const constraints = await parseFenceConstraints(xml, session.resource);
  const allowed = [...new Set(constraints.map((c) => c.allowedOn))];
  return allowed.length === 1 ? {masterAllowedOnlyOn: allowed[0] as string} : {};
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
