// OCF exit codes (OCF 1.1 §"Return codes"; 190/191 need Pacemaker >= 2.0.5).
export const OCF = {
  SUCCESS: 0,
  ERR_GENERIC: 1,
  ERR_ARGS: 2,
  ERR_UNIMPLEMENTED: 3,
  ERR_PERM: 4,
  ERR_INSTALLED: 5,
  ERR_CONFIGURED: 6,
  NOT_RUNNING: 7,
  RUNNING_PROMOTED: 8,
  FAILED_PROMOTED: 9,
  DEGRADED: 190,
  DEGRADED_PROMOTED: 191,
} as const;

export type OcfCode = (typeof OCF)[keyof typeof OCF];

const names = new Map<number, string>(Object.entries(OCF).map(([name, code]) => [code, `OCF_${name}`]));

// The symbolic name of an exit code, for logs ("OCF_NOT_RUNNING").
export const ocfCodeName = (code: number): string => names.get(code) ?? `unknown(${code})`;

// Pacemaker's executor turns anything outside 0–9/190/191 into 1; never let one escape.
export const isOcfCode = (code: unknown): code is OcfCode => typeof code === 'number' && names.has(code);
