// Pacemaker's clone notification variables (OCF_RESKEY_CRM_meta_notify_*),
// parsed once (reference/ocf-spec.md §1.5; LINBIT drbd.ocf drbd_notify).
// Lists are space-separated and an empty list may arrive as a single space;
// <list>_resource and <list>_uname are parallel (entry i of one belongs to
// entry i of the other). Pacemaker 2.1 names promoted/unpromoted what older
// versions call master/slave; both are read. Missing variables are empty lists.

export interface NotifyEntry {
  // Clone instance, e.g. "drbd_mysql:1"; '' when Pacemaker gave fewer resources than unames.
  resource: string;
  // Node name; '' for instances not placed anywhere (inactive).
  uname: string;
}

export type NotifyType = 'pre' | 'post';
export type NotifyOperation = 'start' | 'stop' | 'promote' | 'demote';

export interface NotifyEnv {
  type?: NotifyType;
  operation?: NotifyOperation;
  active: NotifyEntry[];
  inactive: NotifyEntry[];
  start: NotifyEntry[];
  stop: NotifyEntry[];
  promote: NotifyEntry[];
  demote: NotifyEntry[];
  promoted: NotifyEntry[];
  unpromoted: NotifyEntry[];
  available: NotifyEntry[];
  all: NotifyEntry[];
}

const PREFIX = 'OCF_RESKEY_CRM_meta_notify_';

const words = (value: string | undefined): string[] => (value ?? '').split(/\s+/).filter(Boolean);

// The entries of one list; `legacy` is the pre-2.1 name read when the new one is absent.
function entries(env: NodeJS.ProcessEnv, list: string, legacy?: string): NotifyEntry[] {
  const read = (field: 'resource' | 'uname'): string[] => {
    const value = env[`${PREFIX}${list}_${field}`];
    return words(value === undefined && legacy !== undefined ? env[`${PREFIX}${legacy}_${field}`] : value);
  };
  const resources = read('resource');
  const unames = read('uname');
  return Array.from({length: Math.max(resources.length, unames.length)}, (_, i) => ({
    resource: resources[i] ?? '',
    uname: unames[i] ?? '',
  }));
}

const oneOf = <T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined =>
  allowed.find((candidate) => candidate === value?.trim());

// The notification as one typed value; never throws.
export function parseNotifyEnv(env: NodeJS.ProcessEnv): NotifyEnv {
  const type = oneOf(env[`${PREFIX}type`], ['pre', 'post'] as const);
  const operation = oneOf(env[`${PREFIX}operation`], ['start', 'stop', 'promote', 'demote'] as const);
  return {
    ...(type ? {type} : {}),
    ...(operation ? {operation} : {}),
    active: entries(env, 'active'),
    inactive: entries(env, 'inactive'),
    start: entries(env, 'start'),
    stop: entries(env, 'stop'),
    promote: entries(env, 'promote'),
    demote: entries(env, 'demote'),
    promoted: entries(env, 'promoted', 'master'),
    unpromoted: entries(env, 'unpromoted', 'slave'),
    available: entries(env, 'available'),
    all: entries(env, 'all'),
  };
}

// The node names of a list, without blanks and repeats, in order.
export const unames = (list: readonly NotifyEntry[]): string[] => [
  ...new Set(list.map((entry) => entry.uname).filter(Boolean)),
];
