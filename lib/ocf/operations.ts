import {listActions} from './actions';
import type {AnyAgentDeclaration, Role} from './declaration';

// One `op` of a resource in the CIB. Seconds.
export interface Operation {
  name: string;
  interval: number;
  timeout: number;
  role?: Role;
  // OCF_CHECK_LEVEL of a monitor.
  depth?: number;
}

// Actions a resource configuration lists operations for (the others are
// either not run by Pacemaker on its own or need no timeout of their own).
const CONFIGURED = ['start', 'stop', 'promote', 'demote', 'notify', 'monitor'];

// The operations the declaration suggests, in the order of the example
// configurations (start, stop, promote, demote, notify, then monitors):
// its minimum timeouts, monitor intervals and roles; monitors deeper than
// maxDepth are left out (they may need parameters such as credentials).
export function suggestedOperations(decl: AnyAgentDeclaration, maxDepth = 0): Operation[] {
  const rows = listActions(decl).filter(([name]) => CONFIGURED.includes(name));
  return rows
    .filter(([name, m]) => name !== 'monitor' || (m.depth ?? 0) <= maxDepth)
    .sort(([a], [b]) => CONFIGURED.indexOf(a) - CONFIGURED.indexOf(b))
    .map(([name, m]) => ({
      name,
      interval: name === 'monitor' ? (m.interval ?? 10) : 0,
      timeout: m.timeout,
      ...(m.role ? {role: m.role} : {}),
      ...(name === 'monitor' && m.depth ? {depth: m.depth} : {}),
    }));
}

// Whether the agent is promotable (configured as a promotable clone).
export const isPromotable = (decl: AnyAgentDeclaration): boolean => decl.actions.promote !== undefined;
