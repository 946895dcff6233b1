// The drbdsetup command lines drbdadm runs for each command (what it
// prints in "Command '...' terminated with exit code N" and with -d), and
// the object name drbdsetup puts in front of an error. 8.4 lines are
// drbdsetup-84's (observed forms); 9 lines are drbd-utils 9.22's.
import {imagePath} from '../store';
import type {ResourceState} from '../types';
import {peerOf, selfOf} from '../view';

export type SetupCommand = 'primary' | 'secondary' | 'down' | 'connect' | 'disconnect' | 'attach' | 'new-resource'
  | 'new-minor' | 'outdate' | 'role' | 'cstate' | 'dstate' | 'get-gi' | 'show-gi' | 'new-current-uuid' | 'status'
  | 'detach' | 'wait-connect-resource';

export interface CmdOptions {
  force?: boolean;
  discardMyData?: boolean;
  clearBitmap?: boolean;
}

const MINOR_OBJECT: ReadonlySet<SetupCommand> = new Set(['primary', 'secondary', 'role', 'cstate', 'dstate', 'outdate',
  'attach', 'detach', 'get-gi', 'show-gi', 'new-current-uuid']);

// The drbdsetup command line drbdadm runs for `cmd` on this node.
export function setupCmdline(rs: ResourceState, node: string, cmd: SetupCommand, o: CmdOptions = {}, stateDir = ''): string {
  const c = rs.config;
  const self = selfOf(rs, node);
  const peer = peerOf(rs, node);
  const disk = imagePath(stateDir, c.name, node);
  if (c.flavor === '8.4') {
    const setup = 'drbdsetup-84';
    const local = `ipv4:${self.address}:${self.port}`;
    const remote = `ipv4:${peer.address}:${peer.port}`;
    switch (cmd) {
      case 'primary': return `${setup} primary ${c.minor}${o.force ? ' --force' : ''}`;
      case 'connect': {
        const net = [`--protocol=${c.protocol}`, `--after-sb-0pri=${c.afterSb0 === 'discard-local' || c.afterSb0 === 'discard-remote' ? `discard-node-${c.discardNode ?? ''}` : c.afterSb0}`,
          `--after-sb-1pri=${c.afterSb1}`, `--after-sb-2pri=${c.afterSb2}`];
        if (c.rrConflict !== 'disconnect') net.push(`--rr-conflict=${c.rrConflict}`);
        if (c.allowTwoPrimaries) net.push('--allow-two-primaries=yes');
        return `${setup} connect ${c.name} ${local} ${remote} ${net.join(' ')}${o.discardMyData ? ' --discard-my-data' : ''}`;
      }
      case 'disconnect': return `${setup} disconnect ${local} ${remote}`;
      case 'attach': return `${setup} attach ${c.minor} ${disk} ${disk} internal${c.fencing !== 'dont-care' ? ` --fencing=${c.fencing}` : ''}`;
      case 'new-resource': return `${setup} new-resource ${c.name}`;
      case 'new-minor': return `${setup} new-minor ${c.name} ${c.minor} 0`;
      case 'down': case 'status': case 'wait-connect-resource': return `${setup} ${cmd} ${c.name}`;
      case 'new-current-uuid': return `${setup} new-current-uuid ${c.minor}${o.clearBitmap ? ' --clear-bitmap' : ''}`;
      default: return `${setup} ${cmd} ${c.minor}`;
    }
  }
  const setup = 'drbdsetup';
  switch (cmd) {
    case 'primary': return `${setup} primary ${c.name}${o.force ? ' --force' : ''}`;
    case 'secondary': case 'down': case 'role': case 'status': case 'wait-connect-resource': return `${setup} ${cmd} ${c.name}`;
    case 'connect': return `${setup} connect ${c.name} ${peer.nodeId}${o.discardMyData ? ' --discard-my-data' : ''}`;
    case 'disconnect': case 'cstate': return `${setup} ${cmd} ${c.name} ${peer.nodeId}`;
    case 'attach': return `${setup} attach ${c.minor} ${disk} ${disk} internal`;
    case 'new-resource': return `${setup} new-resource ${c.name} ${self.nodeId}`;
    case 'new-minor': return `${setup} new-minor ${c.name} ${c.minor} 0`;
    case 'get-gi': case 'show-gi': return `${setup} ${cmd} ${c.name} ${peer.nodeId} 0`;
    case 'new-current-uuid': return `${setup} new-current-uuid ${c.minor}${o.clearBitmap ? ' --clear-bitmap' : ''}`;
    default: return `${setup} ${cmd} ${c.minor}`;
  }
}

// The object name drbdsetup prints before an error (8.4 cannot name a connection: "??").
export function errorObject(rs: ResourceState, cmd: SetupCommand): string {
  const c = rs.config;
  if (c.flavor === '8.4') {
    if (cmd === 'disconnect') return '??';
    return MINOR_OBJECT.has(cmd) ? String(c.minor) : c.name;
  }
  return MINOR_OBJECT.has(cmd) && cmd !== 'primary' && cmd !== 'secondary' && cmd !== 'role' && cmd !== 'cstate'
    && cmd !== 'get-gi' && cmd !== 'show-gi' ? String(c.minor) : c.name;
}
