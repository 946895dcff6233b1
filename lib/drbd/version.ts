// `drbdadm --version` prints shell assignments (drbd-utils drbdadm_main.c):
//   DRBDADM_BUILDTAG=GIT-hash:\ ...   DRBDADM_API_VERSION=2
//   DRBD_KERNEL_VERSION_CODE=0x08040b DRBD_KERNEL_VERSION=8.4.11
//   DRBDADM_VERSION_CODE=0x091600     DRBDADM_VERSION=9.22.0
// A kernel code of 0x000000 means no DRBD module is loaded.

export interface DrbdVersions {
  // drbd-utils (drbdadm) version, "9.22.0".
  utils?: string;
  // Loaded kernel module version, "8.4.11"; undefined when no module.
  kernel?: string;
  kernelMajor?: 8 | 9;
}

const ASSIGNMENT = /^\s*([A-Z_]+)=(.*)$/;

// "0x08040b" → "8.4.11"; undefined for 0 or anything else.
function fromCode(code: string | undefined): string | undefined {
  if (code === undefined || !/^0x[0-9a-f]{1,6}$/i.test(code.trim())) return undefined;
  const value = parseInt(code.trim(), 16);
  if (value === 0) return undefined;
  return `${(value >> 16) & 0xff}.${(value >> 8) & 0xff}.${value & 0xff}`;
}

// "9.22.0", "8.4.11-1" (a leading x.y[.z]); undefined for "0" or anything else.
function fromText(text: string | undefined): string | undefined {
  const match = /^\s*(\d+\.\d+(?:\.\d+)?)/.exec(text ?? '');
  return match?.[1];
}

const majorOf = (version: string | undefined): 8 | 9 | undefined => {
  const major = Number(version?.split('.')[0]);
  return major === 8 ? 8 : major >= 9 ? 9 : undefined;
};

// Versions from `drbdadm --version` output; a `version: 8.4.11 (api:...)`
// line (/proc/drbd) also counts for the kernel. Unknown lines are ignored.
export function parseDrbdadmVersion(text: string): DrbdVersions {
  const vars = new Map<string, string>();
  let procVersion: string | undefined;
  for (const line of String(text ?? '').split('\n')) {
    const assignment = ASSIGNMENT.exec(line);
    if (assignment) vars.set(assignment[1] as string, (assignment[2] as string).trim().replace(/^['"]|['"]$/g, ''));
    const proc = /^version:\s*(\d+\.\d+\.\d+)/.exec(line.trim());
    if (proc) procVersion = proc[1];
  }
  const kernelCode = vars.get('DRBD_KERNEL_VERSION_CODE');
  const noModule = kernelCode !== undefined && fromCode(kernelCode) === undefined && /^0x0+$/i.test(kernelCode);
  const kernel = noModule
    ? undefined
    : fromText(vars.get('DRBD_KERNEL_VERSION')) ?? fromCode(kernelCode) ?? procVersion;
  const utils = fromText(vars.get('DRBDADM_VERSION')) ?? fromCode(vars.get('DRBDADM_VERSION_CODE'));
  const versions: DrbdVersions = {};
  if (utils !== undefined) versions.utils = utils;
  if (kernel !== undefined) {
    versions.kernel = kernel;
    const major = majorOf(kernel);
    if (major !== undefined) versions.kernelMajor = major;
  }
  return versions;
}

// The first dotted run of digits: "9.2.0-rc.1" → [9, 2, 0].
const numbersOf = (version: string): number[] =>
  (/\d+(?:\.\d+)*/.exec(String(version ?? ''))?.[0] ?? '').split('.').filter(Boolean).map(Number);

// Compares dotted versions numerically ("8.4.11" < "9.0.0", "9.2" == "9.2.0");
// -1, 0 or 1 like a sort comparator. Suffixes ("-1", "-rc.1") are ignored.
export function compareVersions(a: string, b: string): number {
  const x = numbersOf(a);
  const y = numbersOf(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? 0) - (y[i] ?? 0);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}
