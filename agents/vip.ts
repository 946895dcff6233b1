import {rmSync} from 'node:fs';
import {requireRoot} from '../lib/ocf/privileges';
import {join} from 'node:path';
import {
  ConfigError,
  GenericError,
  NotInstalledError,
  OCF,
  defineAgent,
  type ActionContext,
  type ParameterValues,
} from '../lib/ocf';
import {findBinary} from '../lib/sys/binaries';
import {startDaemon, stopDaemon} from '../lib/sys/daemon';
import {describeFailure, run} from '../lib/sys/exec';
import {classifyAddress, describeAddressState, type AddressState, type ExpectedAddress} from '../lib/sys/net/address-state';
import {arpingArgs, sendUaArgs} from '../lib/sys/net/announce';
import {findInterface} from '../lib/sys/net/find-interface';
import {readAddresses, readInterfaceNames, readRunningInterfaces} from '../lib/sys/net/interfaces';
import {formatAddress, parseAddress, parsePrefix, type IpAddress} from '../lib/sys/net/ip-address';
import {readLinkSnapshot, type LinkSnapshot} from '../lib/sys/net/ip-json';
import {readRoutes} from '../lib/sys/net/routes';

const parameters = {
  ip: {
    type: 'address',
    required: true,
    unique: true,
    shortdesc: 'Virtual IPv4 or IPv6 address',
    longdesc: 'The address to bring up, IPv4 (198.51.100.10) or IPv6 (2001:db8::10).',
  },
  cidr_netmask: {
    type: 'string',
    shortdesc: 'Prefix length',
    longdesc:
      'Prefix length of the address (24, or 255.255.255.0 for IPv4). Empty: the prefix of the directly connected route that covers the address.',
  },
  nic: {
    type: 'string',
    shortdesc: 'Network interface',
    longdesc:
      'Interface to put the address on (eth0; no label suffix, see iflabel). Empty: the interface of the most specific directly connected route covering the address, the same rule in start, monitor and stop; two equal routes on different interfaces are an error.',
  },
  broadcast: {
    type: 'string',
    shortdesc: 'IPv4 broadcast address',
    longdesc: 'IPv4 only: broadcast address, or + (host bits set, the default) or - (host bits cleared).',
  },
  iflabel: {
    type: 'string',
    shortdesc: 'IPv4 interface label',
    longdesc: 'IPv4 only: label the address as <nic>:<iflabel> (at most 15 characters in all), as ifconfig shows it.',
  },
  arp_count: {
    type: 'integer',
    default: 5,
    min: 0,
    max: 1000,
    shortdesc: 'Announcements sent at start',
    longdesc:
      'Gratuitous ARP packets (IPv4) or unsolicited neighbour advertisements (IPv6, once duplicate address detection has finished) sent after start, from a detached process so a slow announcement never holds the action. 0 sends none.',
  },
  arp_interval: {
    type: 'integer',
    default: 1000,
    min: 10,
    max: 60000,
    shortdesc: 'Milliseconds between announcements',
    longdesc:
      'Interval between two announcement packets, in milliseconds. iputils arping (IPv4) counts whole seconds, so IPv4 intervals are rounded up to the next second; send_ua (IPv6) uses the milliseconds as given.',
  },
  arp_mode: {
    type: 'enum',
    values: ['request', 'reply'],
    default: 'request',
    shortdesc: 'Gratuitous ARP packet type',
    longdesc:
      'IPv4: send gratuitous ARP requests (arping -U) or ARP replies (arping -A), for switches that only learn from replies.',
  },
  preferred_lft: {
    type: 'string',
    default: 'forever',
    shortdesc: 'IPv6 preferred lifetime',
    longdesc:
      'IPv6 only: preferred lifetime of the address, forever or seconds. 0 marks it deprecated so the kernel does not pick it as a source address.',
  },
  nodad: {
    type: 'boolean',
    default: false,
    shortdesc: 'Skip IPv6 duplicate address detection',
    longdesc:
      'IPv6 only: add the address with nodad. By default start waits for duplicate address detection and fails (removing the address) if another host has it.',
  },
  send_ua: {
    type: 'path',
    default: '/usr/libexec/heartbeat/send_ua',
    shortdesc: 'IPv6 advertisement sender',
    longdesc: "Program that sends unsolicited neighbour advertisements (resource-agents' send_ua).",
  },
} as const;

type Params = ParameterValues<typeof parameters>;
type Ctx = ActionContext<typeof parameters>;

export const vip = defineAgent({
  name: 'vip',
  version: '0.1.0',
  shortdesc: 'Virtual IP address (IPv4 and IPv6)',
  longdesc:
    'Manages a virtual IP address that moves with the services behind it; replaces ocf:heartbeat:IPaddr2. ' +
    'Start adds the address to the interface of the directly connected route that covers it (or nic), waits for IPv6 duplicate address detection, and announces the move with gratuitous ARP (iputils arping) or unsolicited neighbour advertisements (send_ua) from a detached process. ' +
    'Monitor reads the addresses in-process (getifaddrs and /proc) without forking. Stop ends any announcer and removes the address from every interface of this node. ' +
    'Monitor codes: 0 served, 7 absent or its link down, 1 when the interface vanished or the address is half there (wrong interface, prefix or label, duplicate address).',
  parameters,
  checkSyntax,
  checkEnvironment: async (ctx: Ctx) => {
    requireIp(ctx);
    locate(ctx.params);
  },
  actions: {
    start: {timeout: 20, run: start},
    stop: {timeout: 20, run: stop},
    monitor: {timeout: 20, interval: 10, depth: 0, run: monitor},
  },
});

function checkSyntax(p: Params): string[] {
  const problems: string[] = [];
  const address = parseAddress(p.ip) as IpAddress;
  const v4 = address.family === 4;
  if (p.cidr_netmask !== undefined && parsePrefix(p.cidr_netmask, address.family) === undefined) {
    problems.push(`cidr_netmask=${p.cidr_netmask} is not a prefix length for IPv${address.family}`);
  }
  if (p.nic !== undefined && !/^[A-Za-z0-9_.@-]{1,15}$/.test(p.nic)) {
    problems.push(`nic=${p.nic} is not an interface name (use iflabel for a label)`);
  }
  if (p.broadcast !== undefined) {
    if (!v4) problems.push('broadcast applies to IPv4 addresses only');
    else if (!['+', '-'].includes(p.broadcast) && parseAddress(p.broadcast)?.family !== 4) {
      problems.push(`broadcast=${p.broadcast} is not an IPv4 address, + or -`);
    }
  }
  if (p.iflabel !== undefined) {
    if (!v4) problems.push('iflabel applies to IPv4 addresses only');
    else if (!/^[A-Za-z0-9_.-]+$/.test(p.iflabel)) problems.push(`iflabel=${p.iflabel} has characters other than letters, digits, _ . -`);
    else if (p.nic !== undefined && `${p.nic}:${p.iflabel}`.length > 15) {
      problems.push(`${p.nic}:${p.iflabel} is longer than 15 characters`);
    }
  }
  if (!/^(forever|\d+)$/.test(p.preferred_lft)) problems.push(`preferred_lft=${p.preferred_lft} is neither forever nor seconds`);
  return problems;
}

// Where the address belongs by the one rule of find-interface; throws
// NotInstalledError when this node has no such interface or route.
function locate(p: Params): ExpectedAddress {
  const address = parseAddress(p.ip) as IpAddress;
  const prefix = p.cidr_netmask === undefined ? undefined : parsePrefix(p.cidr_netmask, address.family);
  const choice = findInterface({address, nic: p.nic, prefix}, readRoutes(address.family), readInterfaceNames());
  if (!choice.ok) throw new NotInstalledError(choice.message);
  const label = p.iflabel === undefined ? undefined : `${choice.nic}:${p.iflabel}`;
  if (label !== undefined && label.length > 15) throw new ConfigError(`label ${label} is longer than 15 characters`);
  return {family: address.family, address: formatAddress(address), nic: choice.nic, prefix: choice.prefix, label};
}

const requireIp = (ctx: Ctx): string => {
  const ip = findBinary('ip', ctx.env.raw);
  if (!ip) throw new NotInstalledError('ip (iproute2) not found');
  return ip;
};

const announcerPidfile = (ctx: Ctx): string => join(ctx.stateDir(), 'announce.pid');

// Monitor: no fork, only getifaddrs() and /proc.
function monitor(ctx: Ctx) {
  let expected: ExpectedAddress;
  try {
    expected = locate(ctx.params);
  } catch (error) {
    // A probe on a node without the interface finds nothing running; a
    // recurring monitor whose interface vanished is a failure, not a
    // configuration error (resource-agents #328).
    if (ctx.isProbe) return OCF.NOT_RUNNING;
    throw new GenericError((error as Error).message);
  }
  const state = classifyAddress(expected, readAddresses(expected.family), readRunningInterfaces());
  return codeFor(state, expected, ctx);
}

function codeFor(state: AddressState, expected: ExpectedAddress, ctx: Ctx) {
  switch (state.kind) {
    case 'served':
    case 'tentative':
      return OCF.SUCCESS;
    case 'absent':
      return OCF.NOT_RUNNING;
    case 'link-down':
      ctx.log.info(describeAddressState(state, expected));
      return OCF.NOT_RUNNING;
    default:
      return {code: OCF.ERR_GENERIC, reason: describeAddressState(state, expected)};
  }
}

async function start(ctx: Ctx) {
  requireRoot(ctx);
  const ip = requireIp(ctx);
  const expected = locate(ctx.params);
  const look = async () => classifyAddress(expected, ...snapshotArgs(await readLinkSnapshot(ip, ctx.deadline)));
  let state = await look();
  if (state.kind === 'served') {
    ctx.log.info(`${describeAddressState(state, expected)}; nothing to do`);
    return OCF.SUCCESS;
  }
  if (state.kind === 'elsewhere') throw new GenericError(describeAddressState(state, expected));
  if (state.kind === 'wrong-prefix' || state.kind === 'wrong-label' || state.kind === 'dad-failed') {
    ctx.log.warn(`${describeAddressState(state, expected)}; re-adding it`);
    await deleteAddress(ctx, ip, expected.nic, `${expected.address}/${state.kind === 'wrong-prefix' ? state.prefix : expected.prefix}`);
  }
  const present = state.kind === 'tentative' || (state.kind === 'link-down' && state.present);
  if (!present) {
    await ipOrFail(ctx, ip, addArgs(ctx.params, expected));
    ctx.log.info(`added ${expected.address}/${expected.prefix} to ${expected.nic}`);
  }
  await ipOrFail(ctx, ip, ['link', 'set', 'dev', expected.nic, 'up']);
  if (expected.family === 6 && !ctx.params.nodad) {
    // IPaddr2 #180: announcing a tentative address makes DAD fail; wait until it settles.
    await ctx.deadline.poll(async () => {
      state = await look();
      return state.kind !== 'tentative';
    }, 100);
  } else {
    state = await look();
  }
  if (state.kind === 'dad-failed' || state.kind === 'tentative') {
    await deleteAddress(ctx, ip, expected.nic, `${expected.address}/${expected.prefix}`);
    throw new GenericError(
      state.kind === 'dad-failed'
        ? describeAddressState(state, expected)
        : `${expected.address}: duplicate address detection did not finish in time`,
    );
  }
  if (state.kind !== 'served') throw new GenericError(describeAddressState(state, expected));
  await announce(ctx, expected);
  return OCF.SUCCESS;
}

const snapshotArgs = (s: LinkSnapshot) => [s.addresses, s.running] as const;

function addArgs(p: Params, e: ExpectedAddress): string[] {
  const args = [`-${e.family}`, 'addr', 'add', `${e.address}/${e.prefix}`, 'dev', e.nic];
  if (e.family === 4) {
    const broadcast = p.broadcast ?? (e.prefix < 31 ? '+' : undefined);
    if (broadcast !== undefined) args.push('broadcast', broadcast);
    if (e.label !== undefined) args.push('label', e.label);
  } else {
    args.push('preferred_lft', p.preferred_lft);
    if (p.nodad) args.push('nodad');
  }
  return args;
}

// Starts the announcer detached (own session, pidfile) and returns at once.
async function announce(ctx: Ctx, e: ExpectedAddress): Promise<void> {
  const p = ctx.params;
  const pidfile = announcerPidfile(ctx);
  await stopDaemon(pidfile, ctx.deadline.slice({ms: 2000}));
  if (p.arp_count === 0 || e.nic === 'lo') return;
  const [program, args] =
    e.family === 4
      ? [findBinary('arping', ctx.env.raw), arpingArgs({nic: e.nic, address: e.address, count: p.arp_count, intervalMs: p.arp_interval, mode: p.arp_mode === 'reply' ? 'reply' : 'request'})]
      : [findBinary(p.send_ua, ctx.env.raw), sendUaArgs({nic: e.nic, address: e.address, prefix: e.prefix, count: p.arp_count, intervalMs: p.arp_interval})];
  if (!program) {
    ctx.log.warn(`${e.family === 4 ? 'arping (iputils-arping)' : p.send_ua} not found: ${e.address} is up but not announced`);
    return;
  }
  const logFile = join(ctx.stateDir(), 'announce.log');
  rmSync(logFile, {force: true});
  const {pid} = await startDaemon({file: program, args, pidfile, logFile});
  ctx.log.info(`announcing ${e.address} on ${e.nic}: ${program} ${args.join(' ')} (pid ${pid})`);
}

async function stop(ctx: Ctx) {
  requireRoot(ctx);
  await stopDaemon(announcerPidfile(ctx), ctx.deadline.slice({fraction: 0.3}));
  const address = parseAddress(ctx.params.ip) as IpAddress;
  const canonical = formatAddress(address);
  const ip = findBinary('ip', ctx.env.raw);
  // Without ip nothing can have been started; getifaddrs shows what is up.
  const held = ip
    ? (await readLinkSnapshot(ip, ctx.deadline)).addresses
    : readAddresses(address.family);
  const ours = held.filter((a) => a.family === address.family && a.address === canonical);
  if (ours.length === 0) return OCF.SUCCESS;
  if (!ip) throw new GenericError(`${canonical} is up but ip (iproute2) is missing to remove it`);
  // Remove it from every interface: a VIP left anywhere on this node would be served twice after failover.
  for (const a of ours) await deleteAddress(ctx, ip, a.iface, `${a.address}/${a.prefix}`);
  const left = (await readLinkSnapshot(ip, ctx.deadline)).addresses.filter(
    (a) => a.family === address.family && a.address === canonical,
  );
  if (left.length > 0) throw new GenericError(`${canonical} is still on ${left.map((a) => a.iface).join(', ')} after removal`);
  return OCF.SUCCESS;
}

async function deleteAddress(ctx: Ctx, ip: string, nic: string, cidr: string): Promise<void> {
  await ipOrFail(ctx, ip, ['addr', 'del', cidr, 'dev', nic]);
  ctx.log.info(`removed ${cidr} from ${nic}`);
}

async function ipOrFail(ctx: Ctx, ip: string, args: string[]): Promise<void> {
  const result = await run(ip, args, {deadline: ctx.deadline});
  if (!result.ok) throw new GenericError(describeFailure(result));
}
