import {crmPrimitive, pcsResourceCreate, type PrimitiveSpec} from '../config/syntax';
import {listActions} from './actions';
import type {AnyAgentDeclaration} from './declaration';
import {describeParameter} from './metadata';
import {isPromotable, suggestedOperations} from './operations';
import type {ParameterDecl} from './parameters';

export interface ManPageOptions {
  // The package version (the .TH footer).
  version: string;
  // YYYY-MM-DD (the .TH date).
  date: string;
  // OCF provider directory the agent is linked in.
  agentDir?: string;
}

// Text for roff: backslashes escaped, no line starting with a control character.
export function roffText(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

// Words that must stay verbatim (an example line): hyphens as \- so they copy as ASCII.
const roffLiteral = (text: string): string => roffText(text).replace(/-/g, '\\-');

// The man page name of an agent, the way resource-agents names its pages.
export const manPageName = (agent: string): string => `ocf_hacloud_${agent}`;

// ocf_hacloud_<agent>(7) from the agent's declaration, the same one that
// produces its meta-data: description, every parameter with its type and
// default, the actions with their suggested timeouts, crmsh and pcs examples.
export function renderManPage(decl: AnyAgentDeclaration, opts: ManPageOptions): string {
  const name = manPageName(decl.name);
  const agentDir = opts.agentDir ?? '/usr/lib/ocf/resource.d/hacloud';
  const actions = [...new Set(listActions(decl).map(([action]) => action))];
  const out: string[] = [
    `.TH ${name.toUpperCase()} 7 "${opts.date}" "hacloud ${roffText(opts.version)}" "OCF resource agents"`,
    '.SH NAME',
    `${name} \\- ${roffText(decl.shortdesc)}`,
    '.SH SYNOPSIS',
    `.B ${decl.name}`,
    `[${actions.map((a) => `\\fB${roffLiteral(a)}\\fR`).join(' | ')}]`,
    '.SH DESCRIPTION',
    roffText(decl.longdesc),
    '.PP',
    `Pacemaker runs it as \\fBocf:hacloud:${decl.name}\\fR; parameters reach it as OCF_RESKEY_<name> environment variables.`,
    '.SH SUPPORTED PARAMETERS',
  ];
  for (const [param, p] of Object.entries(decl.parameters as Record<string, ParameterDecl>)) {
    out.push('.TP', `.B ${param}`, roffText(`${p.shortdesc}. ${describeParameter(p)}`), '.br', roffText(`(${parameterFacts(p).join(', ')})`));
  }
  out.push('.SH SUPPORTED ACTIONS', 'This resource agent supports the following actions (operations):');
  for (const [action, m] of listActions(decl)) {
    const facts = [`Suggested minimum timeout: ${m.timeout}s.`];
    if (m.interval !== undefined) facts.push(`Suggested interval: ${m.interval}s.`);
    if (m.role) facts.push(`Role: ${m.role}.`);
    if (m.depth !== undefined) facts.push(`OCF_CHECK_LEVEL: ${m.depth}.`);
    out.push('.TP', `.B ${roffLiteral(action)}`, facts.join(' '));
  }
  const example = exampleResource(decl);
  const promotable = isPromotable(decl);
  const crm = [crmPrimitive(example)];
  if (promotable) {
    crm.push(`clone ${example.id}_clone ${example.id} \\\n\tmeta promotable=true promoted-max=1 promoted-node-max=1 clone-max=2 clone-node-max=1 notify=true`);
  }
  const pcs = pcsResourceCreate(example, promotable ? ['promotable promoted-max=1 promoted-node-max=1 clone-max=2 clone-node-max=1 notify=true'] : []);
  out.push(
    '.SH EXAMPLE CRM SHELL',
    `An example configuration for a ${decl.name} resource using the \\fBcrm\\fR(8) shell (replace the values in angle brackets):`,
    '.PP', '.RS 4', '.nf', roffLiteral(crm.join('\n')), '.fi', '.RE',
    '.SH EXAMPLE PCS',
    `The same resource using \\fBpcs\\fR(8) on a CIB file (push it with \\fBpcs cluster cib\\-push\\fR):`,
    '.PP', '.RS 4', '.nf', roffLiteral(pcs), '.fi', '.RE',
    '.SH FILES',
    `.I ${roffLiteral(`${agentDir}/${decl.name}`)}`,
    '.SH SEE ALSO',
    '\\fBhacloud\\fR(8), \\fBcrm\\fR(8), \\fBpcs\\fR(8), \\fBcrm_resource\\fR(8), \\fBocf\\-tester\\fR(8)',
    '.SH AUTHOR',
    'The hacloud developers.',
  );
  return `${out.join('\n')}\n`;
}

// "required, unique, integer, default 5672": what meta-data says in attributes.
function parameterFacts(p: ParameterDecl): string[] {
  const facts: string[] = [];
  if (p.required) facts.push('required');
  if (p.unique) facts.push('unique');
  if (p.secret) facts.push('secret');
  facts.push(p.type === 'enum' ? `enum: ${p.values.join('|')}` : p.type);
  if (p.secret || p.default === undefined || p.default === '') facts.push('no default');
  else facts.push(`default ${JSON.stringify(String(p.default))}`);
  return facts;
}

// The example primitive: every required parameter with a placeholder, the
// suggested operations (monitors of depth 0).
function exampleResource(decl: AnyAgentDeclaration): PrimitiveSpec {
  const required = Object.entries(decl.parameters as Record<string, ParameterDecl>).filter(([, p]) => p.required);
  return {
    id: `p_${decl.name.replace(/-/g, '_')}`,
    agent: `ocf:hacloud:${decl.name}`,
    params: required.map(([param, p]) => [param, `<${p.type === 'enum' ? p.values.join('|') : param}>`] as const),
    ops: suggestedOperations(decl, 0),
  };
}
