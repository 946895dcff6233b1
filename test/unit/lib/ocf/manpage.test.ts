import {agentNames, loadAgent} from '../../../../agents';
import type {AnyAgentDeclaration} from '../../../../lib/ocf/declaration';
import {renderManPage, roffText} from '../../../../lib/ocf/manpage';
import type {ParameterDecl} from '../../../../lib/ocf/parameters';

const opts = {version: '1.2.3', date: '2026-01-02'};

test('roff text: backslashes escaped, no line starts as a request', () => {
  expect(roffText('a\\b\n.TH x\n\'quote')).toBe('a\\eb\n\\&.TH x\n\\&\'quote');
});

test.each(agentNames())('ocf_hacloud_%s(7) lists every parameter with its type and default, and every action timeout', async (name) => {
  const decl = (await loadAgent(name)) as AnyAgentDeclaration;
  const page = renderManPage(decl, opts);
  expect(page).toMatch(new RegExp(`^\\.TH OCF_HACLOUD_${name.toUpperCase()} 7 "2026-01-02" "hacloud 1\\.2\\.3"`));
  for (const [param, p] of Object.entries(decl.parameters as Record<string, ParameterDecl>)) {
    const block = page.split('\n.TP\n').find((b) => b.startsWith(`.B ${param}\n`));
    expect(block).toBeDefined();
    expect(block).toContain(p.type === 'enum' ? `enum: ${p.values.join('|')}` : p.type);
    if (p.default !== undefined && p.default !== '' && !p.secret) expect(block).toContain(`default ${JSON.stringify(String(p.default))}`);
  }
  for (const [action, a] of Object.entries(decl.actions)) {
    if (a) expect(page).toMatch(new RegExp(`\\.B ${action.replace(/-/g, '\\\\-')}\\nSuggested minimum timeout: ${a.timeout}s\\.`));
  }
  expect(page.replace(/\\-/g, '-')).toContain(`primitive p_${name.replace(/-/g, '_')} ocf:hacloud:${name}`);
});
