import type {Deadline} from './deadline';
import type {OcfEnvironment} from './environment';
import type {OcfCode} from './exit-codes';
import type {Logger} from './log';
import type {ParameterTable, ParameterValues} from './parameters';

export type Role = 'Promoted' | 'Unpromoted';

// Action names ocf-tester's OCF 1.0 DTD accepts (no reload-agent).
export type ActionName =
  | 'start'
  | 'stop'
  | 'monitor'
  | 'promote'
  | 'demote'
  | 'notify'
  | 'reload'
  | 'migrate_to'
  | 'migrate_from'
  | 'validate-all';

// One <action> row of the meta-data. Seconds, as Pacemaker's minimums.
export interface ActionMeta {
  timeout: number;
  interval?: number;
  depth?: number;
  role?: Role;
}

// What a handler gets: typed parameters, the OCF environment, a deadline
// every wait must honour, and a logger.
export interface ActionContext<P extends ParameterTable = ParameterTable> {
  readonly agent: string;
  readonly action: string;
  readonly instance: string;
  readonly params: ParameterValues<P>;
  readonly env: OcfEnvironment;
  readonly deadline: Deadline;
  readonly log: Logger;
  // monitor with interval 0 or unset: must report 7 (or 5), never fail on a missing environment.
  readonly isProbe: boolean;
  // OCF_CHECK_LEVEL rounded down to a depth this action declares.
  readonly checkLevel: number;
  // /run/resource-agents/hacloud/<instance>, created on first use.
  stateDir(): string;
}

// A handler returns nothing (success), a code, or a code with an exit reason;
// it may also throw an OcfError.
export type ActionResult = void | OcfCode | {code: OcfCode; reason?: string};
export type Handler<P extends ParameterTable> = (ctx: ActionContext<P>) => Promise<ActionResult> | ActionResult;

export interface ActionDecl<P extends ParameterTable> extends ActionMeta {
  run: Handler<P>;
  // Further meta-data rows for the same action (other depths or roles).
  more?: readonly ActionMeta[];
}

export interface AgentDeclaration<P extends ParameterTable = ParameterTable> {
  name: string;
  version: string;
  shortdesc: string;
  longdesc: string;
  parameters: P;
  actions: Partial<Record<ActionName, ActionDecl<P>>> & {
    start: ActionDecl<P>;
    stop: ActionDecl<P>;
    monitor: ActionDecl<P>;
  };
  // Checks among parameters that the per-parameter types cannot express
  // (syntax only, no look at this node): each string is a problem, exit 6.
  checkSyntax?: (params: ParameterValues<P>) => string[];
  // Checks of this node's environment for validate-all at OCF_CHECK_LEVEL 10
  // (binaries, interfaces, users); throw an OcfError (5, 2, 4).
  checkEnvironment?: (ctx: ActionContext<P>) => Promise<void> | void;
  // validate-all timeout in meta-data (seconds).
  validateTimeout?: number;
}

// Declares an agent; the identity function keeps parameter names and types
// (const type parameter) so handlers see typed values.
export const defineAgent = <const P extends ParameterTable>(decl: AgentDeclaration<P>): AgentDeclaration<P> => decl;

// Any agent, whatever its parameter table: what the dispatcher and the
// registry hold. (Handlers take their own typed context, so the table is erased here.)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAgentDeclaration = AgentDeclaration<any>;
