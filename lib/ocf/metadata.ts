import {XMLBuilder} from 'fast-xml-parser';
import {listActions} from './actions';
import type {ActionMeta, AnyAgentDeclaration} from './declaration';
import type {ParameterDecl} from './parameters';

// Meta-data in the profile every validator accepts (reference/ocf-spec.md
// §2.3): OCF 1.0 DTD with DOCTYPE (ocf-tester), resource-agents'
// metadata.rng, OCF 1.1 RNG and pcs. Hence content types string/integer/
// boolean only, no reloadable/unique-group, roles capitalised, "s" suffixes.
export function renderMetadata(decl: AnyAgentDeclaration): string {
  const text = (t: string) => ({'@_lang': 'en', '#text': t});
  const document = {
    'resource-agent': {
      '@_name': decl.name,
      '@_version': decl.version,
      version: '1.1',
      longdesc: text(decl.longdesc),
      shortdesc: text(decl.shortdesc),
      parameters: {
        parameter: Object.entries(decl.parameters as Record<string, ParameterDecl>).map(([name, p]) => ({
          '@_name': name,
          '@_unique': p.unique ? '1' : '0',
          '@_required': p.required ? '1' : '0',
          longdesc: text(describeParameter(p)),
          shortdesc: text(p.shortdesc),
          content: content(p),
        })),
      },
      actions: {action: listActions(decl).map(([name, m]) => actionElement(name, m))},
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: true,
    // A string default of "true" must stay default="true", not a bare attribute.
    suppressBooleanAttributes: false,
    processEntities: true,
  });
  return `<?xml version="1.0"?>\n<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">\n${builder.build(document)}`;
}

function actionElement(name: string, m: ActionMeta): Record<string, string> {
  const element: Record<string, string> = {'@_name': name, '@_timeout': `${m.timeout}s`};
  if (m.interval !== undefined) element['@_interval'] = `${m.interval}s`;
  if (m.depth !== undefined) element['@_depth'] = String(m.depth);
  if (m.role !== undefined) element['@_role'] = m.role;
  return element;
}

// A parameter's long description with the notes its type implies (allowed
// values, duration syntax, range): the same text in meta-data and man pages.
export function describeParameter(p: ParameterDecl): string {
  const notes: string[] = [];
  if (p.type === 'enum') notes.push(`Allowed values: ${p.values.join(', ')}.`);
  if (p.type === 'duration') notes.push(`A duration such as 500ms, 10s or 2m; a bare number is in ${p.unit === 'ms' ? 'milliseconds' : 'seconds'}.`);
  if (p.type === 'integer' && (p.min !== undefined || p.max !== undefined)) {
    notes.push(`Range: ${p.min ?? '-∞'} to ${p.max ?? '∞'}.`);
  }
  return [p.longdesc, ...notes].join(' ');
}

function content(p: ParameterDecl): Record<string, string> {
  const type = p.type === 'integer' ? 'integer' : p.type === 'boolean' ? 'boolean' : 'string';
  const element: Record<string, string> = {'@_type': type};
  if (p.default !== undefined && !p.secret) element['@_default'] = String(p.default);
  return element;
}
