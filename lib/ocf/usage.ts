import type {AnyAgentDeclaration} from './declaration';
import {listActions} from './actions';

// The usage text: every action the agent answers to.
export function renderUsage(decl: AnyAgentDeclaration): string {
  const actions = [...new Set(listActions(decl).map(([name]) => name)), 'usage'];
  return `usage: ${decl.name} {${actions.join('|')}}\n\n${decl.shortdesc}\nParameters are passed as OCF_RESKEY_<name> environment variables; see "${decl.name} meta-data".\n`;
}
