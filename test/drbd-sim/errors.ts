// drbdsetup's error reporting (check_error in drbdsetup.c) and the texts of
// drbd-headers' drbd_strings.c: ERR_* codes (> 100) print "Failure" and exit
// 10, state-change refusals (SS_*, < 0) print "State change failed" and exit
// 11, except (-2) 17, (-16) 5 and (-4) 16.

export const ERROR_TEXT: Record<number, string> = {
  102: 'Local address(port) already in use.',
  103: 'Remote address(port) already in use.',
  104: 'Can not open backing device.',
  114: 'Lower device is already claimed. This usually means it is mounted.',
  123: '--discard-my-data not allowed when primary.',
  124: 'Device is attached to a disk (use detach first)',
  125: 'Device has a net-config (use disconnect first)',
  127: 'Device minor not allocated',
  138: 'Device does not have a disk-config',
  151: 'Need to be StandAlone',
  158: 'Unknown resource',
  162: 'Invalid configuration request',
};

export const STATE_TEXT: Record<number, string> = {
  [-1]: 'Multiple primaries not allowed by config',
  [-2]: 'Need access to UpToDate data',
  [-4]: 'Can not resync without local disk',
  [-6]: 'Refusing to be Outdated while Connected',
  [-7]: 'Refusing to be Primary while peer is not outdated',
  [-9]: 'Can not disconnect a StandAlone device',
  [-11]: 'Device is diskless, the requested operation requires a disk',
  [-12]: 'Device is held open by someone',
  [-15]: 'Need a connection to start verify or resync',
  [-16]: 'Disk state is lower than outdated',
  [-18]: 'In transient state, retry after next state change',
};

// A failed drbdsetup call: what it prints and its exit code.
export interface SetupError {
  code: number;
  // Extra lines after "additional info from kernel:".
  info?: string[];
}

// The exit code drbdsetup uses for a kernel answer.
export function exitCodeFor(code: number): number {
  if (code > 100) return 10;
  if (code === -2) return 17;
  if (code === -16) return 5;
  if (code === -4) return 16;
  if (code < 0) return 11;
  return 20;
}

// The stderr text drbdsetup prints for an error on object `obj` (minor,
// resource name, or "??" for an 8.4 connection it cannot name).
export function errorText(obj: string, e: SetupError): string {
  const head = e.code > 100
    ? `${obj}: Failure: (${e.code}) ${ERROR_TEXT[e.code] ?? 'Unknown error'}`
    : `${obj}: State change failed: (${e.code}) ${STATE_TEXT[e.code] ?? 'Unknown error'}`;
  const info = e.info && e.info.length > 0 ? ['additional info from kernel:', ...e.info] : [];
  return [head, ...info].map((l) => `${l}\n`).join('');
}

// drbdadm's line after a failed drbdsetup child.
export const commandFailedText = (cmdline: string, exitCode: number): string =>
  `Command '${cmdline}' terminated with exit code ${exitCode}\n`;

// Thrown inside the engine to refuse an operation with a kernel error.
export class SimRefusal extends Error {
  override name = 'SimRefusal';
  constructor(readonly error: SetupError) {
    super(error.code > 100 ? ERROR_TEXT[error.code] ?? String(error.code) : STATE_TEXT[error.code] ?? String(error.code));
  }
}

// Thrown for usage errors of the simulator's own verbs (exit code given).
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

// The output of one simulated program run.
export interface Output {
  stdout: string;
  stderr: string;
  code: number;
}

// A successful run with this stdout / a failed one.
export const ok = (stdout = ''): Output => ({stdout, stderr: '', code: 0});
export const fail = (stderr: string, code: number, stdout = ''): Output => ({stdout, stderr, code});
