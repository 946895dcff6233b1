import type {Family} from './ip-address';
import type {InterfaceAddress} from './interfaces';

export interface ExpectedAddress {
  family: Family;
  // Canonical text.
  address: string;
  nic: string;
  prefix: number;
  // Full IPv4 label ("eth0:vip") or undefined for none.
  label?: string | undefined;
}

// How an address stands on this node, before any OCF code is chosen.
export type AddressState =
  | {kind: 'served'}
  | {kind: 'tentative'}
  | {kind: 'absent'}
  // The link is down or has no carrier; `present`: the address is configured on it all the same.
  | {kind: 'link-down'; present: boolean}
  | {kind: 'dad-failed'}
  | {kind: 'elsewhere'; iface: string}
  | {kind: 'wrong-prefix'; prefix: number}
  | {kind: 'wrong-label'; label: string | undefined};

// Classifies the expected address against what the interfaces hold.
// `running` is the set of interfaces that are up with carrier.
export function classifyAddress(
  expected: ExpectedAddress,
  addresses: readonly InterfaceAddress[],
  running: ReadonlySet<string>,
): AddressState {
  const same = addresses.filter((a) => a.family === expected.family && a.address === expected.address);
  const mine = same.find((a) => a.iface === expected.nic);
  if (mine) {
    if (mine.dadFailed) return {kind: 'dad-failed'};
    if (mine.prefix !== expected.prefix) return {kind: 'wrong-prefix', prefix: mine.prefix};
    if (expected.family === 4 && mine.label !== expected.label) return {kind: 'wrong-label', label: mine.label};
    if (!running.has(expected.nic)) return {kind: 'link-down', present: true};
    return mine.tentative ? {kind: 'tentative'} : {kind: 'served'};
  }
  const other = same[0];
  if (other) return {kind: 'elsewhere', iface: other.iface};
  return running.has(expected.nic) ? {kind: 'absent'} : {kind: 'link-down', present: false};
}

// Words for logs and exit reasons.
export function describeAddressState(state: AddressState, expected: ExpectedAddress): string {
  const what = `${expected.address}/${expected.prefix} on ${expected.nic}`;
  switch (state.kind) {
    case 'served':
      return `${what} is up`;
    case 'tentative':
      return `${what} is up, duplicate address detection still running`;
    case 'absent':
      return `${what} is not configured`;
    case 'link-down':
      return `${expected.nic} is down or has no carrier, so ${expected.address} is not served`;
    case 'dad-failed':
      return `${what}: duplicate address detection failed (another host uses ${expected.address})`;
    case 'elsewhere':
      return `${expected.address} is configured on ${state.iface}, not on ${expected.nic}`;
    case 'wrong-prefix':
      return `${expected.address} on ${expected.nic} has prefix /${state.prefix}, expected /${expected.prefix}`;
    case 'wrong-label':
      return `${expected.address} on ${expected.nic} has label ${state.label ?? '(none)'}, expected ${expected.label ?? '(none)'}`;
  }
}
