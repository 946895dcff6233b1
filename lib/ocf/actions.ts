import type {ActionMeta, AnyAgentDeclaration} from './declaration';

// Every (action, meta-data row) pair, meta-data and validate-all included.
export function listActions(decl: AnyAgentDeclaration): [string, ActionMeta][] {
  const rows: [string, ActionMeta][] = [];
  for (const [name, action] of Object.entries(decl.actions)) {
    if (!action) continue;
    const {timeout, interval, depth, role} = action;
    rows.push([name, {timeout, interval, depth, role}]);
    for (const more of action.more ?? []) rows.push([name, more]);
  }
  if (!decl.actions['validate-all']) rows.push(['validate-all', {timeout: decl.validateTimeout ?? 20}]);
  rows.push(['meta-data', {timeout: 5}]);
  return rows;
}
