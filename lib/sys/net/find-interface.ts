import {maxPrefix, prefixContains, type IpAddress} from './ip-address';
import type {Route} from './routes';

export interface InterfaceRequest {
  address: IpAddress;
  // The nic parameter, when the operator set it.
  nic?: string | undefined;
  // The cidr_netmask parameter, when set.
  prefix?: number | undefined;
}

export type InterfaceChoice =
  | {ok: true; nic: string; prefix: number}
  | {ok: false; problem: 'nic-missing' | 'no-route' | 'ambiguous'; message: string};

// Where an address belongs: the interface of the most specific directly
// connected route (no gateway, not unreachable) that covers it, lowest metric
// first; the prefix from cidr_netmask or from that route. One pure rule,
// used alike by start, monitor and stop (resource-agents #1963 came from
// start and monitor disagreeing). Two equally good routes on different
// interfaces are an error rather than a guess.
export function findInterface(
  request: InterfaceRequest,
  routes: readonly Route[],
  interfaceNames: readonly string[],
): InterfaceChoice {
  const {address, nic, prefix} = request;
  const family = address.family;
  if (nic !== undefined && !interfaceNames.includes(nic)) {
    return {ok: false, problem: 'nic-missing', message: `interface ${nic} does not exist`};
  }
  const candidates = routes
    .filter(
      (r) =>
        r.family === family &&
        !r.gateway &&
        !r.reject &&
        r.prefix > 0 &&
        (nic === undefined || r.iface === nic) &&
        (prefix === undefined || r.prefix <= prefix) &&
        prefixContains(r.destination, r.prefix, address),
    )
    .sort((a, b) => b.prefix - a.prefix || a.metric - b.metric);
  const best = candidates[0];
  if (!best) {
    if (nic !== undefined && prefix !== undefined) return {ok: true, nic, prefix};
    if (family === 4 && address.bytes[0] === 127 && (nic === undefined || nic === 'lo')) {
      return {ok: true, nic: 'lo', prefix: prefix ?? 8};
    }
    const where = nic === undefined ? '' : ` on ${nic}`;
    return {
      ok: false,
      problem: 'no-route',
      message: `no directly connected route${where} covers ${formatForMessage(request)}; set nic and cidr_netmask`,
    };
  }
  const rival = candidates.find((r) => r.prefix === best.prefix && r.metric === best.metric && r.iface !== best.iface);
  if (rival) {
    return {
      ok: false,
      problem: 'ambiguous',
      message: `routes on ${best.iface} and ${rival.iface} both cover the address equally; set nic`,
    };
  }
  return {ok: true, nic: best.iface, prefix: prefix ?? Math.min(best.prefix, maxPrefix(family))};
}

const formatForMessage = (request: InterfaceRequest): string =>
  request.address.family === 4 ? request.address.bytes.join('.') : 'the IPv6 address';
