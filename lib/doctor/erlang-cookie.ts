import {readFileSync} from 'node:fs';
import {readCookie} from '../../agents/rabbitmq/secret-files';
import {sha256Text} from '../sys/checksum';
import {findAccountLine} from '../sys/accounts';
import {configured, param, result, under, type CheckResult, type DoctorContext} from './types';

// The uid of a user in the root's /etc/passwd (local accounts only).
const localUid = (ctx: DoctorContext, user: string): number | undefined => {
  try {
    return findAccountLine(readFileSync(under(ctx, '/etc/passwd'), 'utf8'), user)?.id;
  } catch {
    return undefined;
  }
};

// (6) The Erlang cookie RabbitMQ's nodes share: present, one line, owned by
// root or the server's user with no access for others, and the same as the
// other node's copy when one is given. Compared by hash; never printed.
export function checkErlangCookie(ctx: DoctorContext): CheckResult {
  const name = 'erlang cookie';
  if (!configured(ctx, 'rabbitmq')) return result(name, 'skip', 'rabbitmq not configured');
  const path = param(ctx, 'rabbitmq', 'cookie_file');
  const user = param(ctx, 'rabbitmq', 'user') || 'rabbitmq';
  let mine: string;
  try {
    // uid -1 matches no file: without the user only root may own it.
    mine = readCookie(under(ctx, path), localUid(ctx, user) ?? -1);
  } catch (error) {
    return result(name, 'fail', (error as Error).message.replace(under(ctx, path), path));
  }
  if (ctx.peerCookie === undefined) return result(name, 'pass', `${path} present, owner and mode fit (not compared: give --peer-cookie FILE, a copy of the other node's)`);
  let theirs: string;
  try {
    theirs = readFileSync(ctx.peerCookie, 'utf8').trim();
  } catch (error) {
    return result(name, 'fail', `peer copy ${ctx.peerCookie}: ${(error as Error).message}`);
  }
  if (sha256Text(mine) !== sha256Text(theirs)) return result(name, 'fail', `${path} differs from the peer copy ${ctx.peerCookie}: RabbitMQ nodes with different cookies cannot talk`);
  return result(name, 'pass', `${path} present, owner and mode fit, identical to the peer copy`);
}
