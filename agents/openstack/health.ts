import type {HealthCheck, JsonPredicate} from './preset';

export interface HttpAnswer {
  status: number;
  body: string;
}

export type HealthVerdict = {kind: 'healthy'} | {kind: 'draining'} | {kind: 'unhealthy'; reason: string};

// Judges the answer to the unauthenticated check: the status must be one
// the preset accepts and the JSON predicate must hold. oslo.middleware's
// disable_by_file answers 503 "DISABLED BY FILE": the operator drains the node.
export function judgeHealth(check: HealthCheck, path: string, answer: HttpAnswer): HealthVerdict {
  if (answer.status === 503 && /DISABLED BY FILE/i.test(answer.body)) return {kind: 'draining'};
  if (!check.status.includes(answer.status)) {
    return {kind: 'unhealthy', reason: `GET ${path} answered ${answer.status} (expected ${check.status.join(' or ')})${excerpt(answer.body)}`};
  }
  if (!check.json) return {kind: 'healthy'};
  let document: unknown;
  try {
    document = JSON.parse(answer.body);
  } catch {
    return {kind: 'unhealthy', reason: `GET ${path} answered ${answer.status} without JSON${excerpt(answer.body)}`};
  }
  const failure = checkJson(check.json, document);
  return failure ? {kind: 'unhealthy', reason: `GET ${path}: ${failure}`} : {kind: 'healthy'};
}

// Why the predicate does not hold, or undefined when it does.
export function checkJson(predicate: JsonPredicate, document: unknown): string | undefined {
  const value = valueAt(document, predicate.path);
  if (predicate.equals !== undefined && value !== predicate.equals) {
    return `${predicate.path} is ${JSON.stringify(value) ?? 'missing'}, expected ${JSON.stringify(predicate.equals)}`;
  }
  if (predicate.nonEmpty) {
    const size = Array.isArray(value) ? value.length : value !== null && typeof value === 'object' ? Object.keys(value).length : 0;
    if (size === 0) return `${predicate.path} is ${JSON.stringify(value) ?? 'missing'}, expected a non-empty list`;
  }
  return undefined;
}

// The value at a dot-separated path (numeric parts index arrays).
export function valueAt(document: unknown, path: string): unknown {
  let value = document;
  for (const part of path.split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = Array.isArray(value) && /^\d+$/.test(part) ? value[Number(part)] : (value as Record<string, unknown>)[part];
  }
  return value;
}

const excerpt = (body: string): string => {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 120);
  return text ? `: ${text}` : '';
};
