import {agentNames, loadAgent} from '../../agents';
import {presetNames} from '../../agents/openstack/presets';
import type {AnyAgentDeclaration} from '../ocf/declaration';
import {renderCrm} from './crm';
import {renderPcs} from './pcs';
import {agentsOf, planController} from './plan';
import {parseSpec} from './spec';

// A description (parsed YAML/JSON) → crmsh text or a pcs script, from the
// declarations of the agents this binary serves.
export async function generateConfig(description: unknown, format: 'crm' | 'pcs'): Promise<string> {
  const spec = parseSpec(description, presetNames().filter((name) => agentNames().includes(name)));
  const decls: Record<string, AnyAgentDeclaration> = {};
  for (const name of agentsOf(spec)) {
    const decl = await loadAgent(name);
    if (!decl) throw new Error(`no agent ${name}`);
    decls[name] = decl;
  }
  const plan = planController(spec, decls);
  return format === 'pcs' ? renderPcs(plan) : renderCrm(plan);
}
