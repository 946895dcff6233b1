import {ipFamily} from '../sys/net/ip-address';
import {parseDuration} from './duration';

// How a parameter's value is checked and typed. Meta-data shows them all as
// string/integer/boolean (the only types ocf-tester's OCF 1.0 DTD accepts).
export type ParameterType = 'string' | 'integer' | 'boolean' | 'enum' | 'duration' | 'path' | 'address';

interface ParameterBase {
  shortdesc: string;
  longdesc: string;
  required?: boolean;
  unique?: boolean;
  // Never logged, never shown in exit reasons; meta-data shows no default.
  secret?: boolean;
}

export interface StringParameter extends ParameterBase {
  type: 'string';
  default?: string;
}
export interface PathParameter extends ParameterBase {
  type: 'path';
  default?: string;
}
export interface AddressParameter extends ParameterBase {
  type: 'address';
  default?: string;
}
export interface IntegerParameter extends ParameterBase {
  type: 'integer';
  default?: number;
  min?: number;
  max?: number;
}
export interface BooleanParameter extends ParameterBase {
  type: 'boolean';
  default?: boolean;
}
export interface EnumParameter extends ParameterBase {
  type: 'enum';
  values: readonly string[];
  default?: string;
}
// A duration such as "200ms", "5s" or "2m"; the typed value is milliseconds.
export interface DurationParameter extends ParameterBase {
  type: 'duration';
  default?: string;
  // Unit of a bare number ("5"): seconds unless stated.
  unit?: 's' | 'ms';
}

export type ParameterDecl =
  | StringParameter
  | PathParameter
  | AddressParameter
  | IntegerParameter
  | BooleanParameter
  | EnumParameter
  | DurationParameter;

export type ParameterTable = Readonly<Record<string, ParameterDecl>>;

type ValueOf<P extends ParameterDecl> = P extends {type: 'integer' | 'duration'}
  ? number
  : P extends {type: 'boolean'}
    ? boolean
    : string;

type AlwaysSet<P> = P extends {required: true} ? true : P extends {default: unknown} ? true : false;

// The typed values an action handler receives: parameters with a default or
// `required` are always set; the others may be undefined.
export type ParameterValues<T extends ParameterTable> = {
  readonly [K in keyof T]: AlwaysSet<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

export interface ParameterProblem {
  name: string;
  kind: 'missing' | 'invalid';
  message: string;
}

export interface ParsedParameters<T extends ParameterTable> {
  values: ParameterValues<T>;
  problems: ParameterProblem[];
  secrets: string[];
}

const TRUE = new Set(['1', 'yes', 'true', 'on', 'y', 'ja']);
const FALSE = new Set(['0', 'no', 'false', 'off', 'n', 'nein']);

// Reads OCF_RESKEY_<name> for every declared parameter and types it. An empty
// value counts as unset, as `${OCF_RESKEY_x:-default}` does in shell agents.
// Problems are collected, not thrown: the caller decides per action (a stop
// or probe must not fail because of them).
export function parseParameters<T extends ParameterTable>(
  table: T,
  env: NodeJS.ProcessEnv,
): ParsedParameters<T> {
  const values: Record<string, unknown> = {};
  const problems: ParameterProblem[] = [];
  const secrets: string[] = [];
  for (const [name, decl] of Object.entries(table)) {
    const raw = env[`OCF_RESKEY_${name}`];
    if (raw === undefined || raw === '') {
      if (decl.required) problems.push({name, kind: 'missing', message: `required parameter ${name} is not set`});
      values[name] = defaultValue(decl);
      continue;
    }
    if (decl.secret) secrets.push(raw);
    const typed = typeValue(decl, raw);
    if ('error' in typed) {
      const shown = decl.secret ? '(secret)' : JSON.stringify(raw);
      problems.push({name, kind: 'invalid', message: `parameter ${name}=${shown}: ${typed.error}`});
      values[name] = defaultValue(decl);
    } else {
      values[name] = typed.value;
    }
  }
  return {values: values as ParameterValues<T>, problems, secrets};
}

function defaultValue(decl: ParameterDecl): unknown {
  if (decl.default === undefined) return undefined;
  if (decl.type === 'duration') return parseDuration(decl.default, decl.unit ?? 's');
  return decl.default;
}

type Typed = {value: unknown} | {error: string};

function typeValue(decl: ParameterDecl, raw: string): Typed {
  switch (decl.type) {
    case 'string':
      return {value: raw};
    case 'path':
      return raw.startsWith('/') ? {value: raw} : {error: 'must be an absolute path'};
    case 'address':
      return ipFamily(raw) ? {value: raw} : {error: 'is not an IPv4 or IPv6 address'};
    case 'boolean': {
      const lower = raw.toLowerCase();
      if (TRUE.has(lower)) return {value: true};
      if (FALSE.has(lower)) return {value: false};
      return {error: 'is not a boolean (true/false, yes/no, 1/0, on/off)'};
    }
    case 'integer': {
      if (!/^[+-]?\d+$/.test(raw.trim())) return {error: 'is not an integer'};
      const value = Number(raw.trim());
      if (!Number.isSafeInteger(value)) return {error: 'is out of range'};
      if (decl.min !== undefined && value < decl.min) return {error: `must be at least ${decl.min}`};
      if (decl.max !== undefined && value > decl.max) return {error: `must be at most ${decl.max}`};
      return {value};
    }
    case 'enum':
      return decl.values.includes(raw) ? {value: raw} : {error: `must be one of ${decl.values.join(', ')}`};
    case 'duration': {
      const ms = parseDuration(raw, decl.unit ?? 's');
      return ms === undefined ? {error: 'is not a duration (e.g. 500ms, 10s, 2m)'} : {value: ms};
    }
  }
}
