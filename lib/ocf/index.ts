// The OCF runtime: declare an agent once, dispatch actions through it.
export {OCF, ocfCodeName, type OcfCode} from './exit-codes';
export {OcfError, ConfigError, NotInstalledError, ArgsError, PermError, GenericError} from './errors';
export {defineAgent, type AgentDeclaration, type ActionContext, type ActionResult, type Role} from './declaration';
export {Deadline} from './deadline';
export type {Logger} from './log';
export type {ParameterValues} from './parameters';
