import {GenericError, OCF, type Deadline} from '../../lib/ocf';
import {findBinary} from '../../lib/sys/binaries';
import {describeFailure, run} from '../../lib/sys/exec';
import {describeUsers, findMountUsers, isUserAlive, signalUser, type MountTarget, type MountUser} from '../../lib/sys/mount-users';
import {mountsBelow, readMountinfo, visibleMountAt, type MountEntry} from '../../lib/sys/mountinfo';
import {directoryOf, observeMount} from './mount-state';
import {parseSignal, type Ctx} from './params';

// One umount must not use the whole stop budget (a dead NFS server).
const UMOUNT_TIMEOUT_MS = 10_000;
// Stacked mounts on the directory are taken off one by one, at most this many.
const MAX_ROUNDS = 8;

export async function stop(ctx: Ctx) {
  let dir: string;
  try {
    dir = directoryOf(ctx);
  } catch (error) {
    ctx.log.warn(`${(error as Error).message}: nothing to stop`);
    return OCF.SUCCESS;
  }
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const entries = readMountinfo();
    const top = visibleMountAt(entries, dir);
    if (!top) return OCF.SUCCESS;
    // Whatever is on the directory comes off, even from another device: after
    // a udev rename it is ours under a new name (PR #2138), and left mounted
    // here it would be mounted twice once Pacemaker starts it elsewhere.
    const state = await observeMount(ctx, entries);
    if (state.kind === 'foreign') ctx.log.warn(`${state.reason}; unmounting it`);
    const umount = findBinary('umount', ctx.env.raw);
    if (!umount) throw new GenericError(`${dir} is mounted but umount (util-linux) is missing`);
    // Submounts first, deepest first (#1944: never the parent before its children).
    for (const mount of [...mountsBelow(entries, dir), top]) await release(ctx, umount, mount);
  }
  throw new GenericError(`${dir} is still mounted after unmounting ${MAX_ROUNDS} stacked mounts`);
}

// Unmounts one mount. A plain umount first: no /proc scan and no signal
// delay when nothing uses it (#1907). When busy, its users (found by
// lib/sys/mount-users, never fuser) get term_signal for half the time left,
// then kill_signal for the rest, with an umount after each round.
async function release(ctx: Ctx, umount: string, mount: MountEntry): Promise<void> {
  const attempt = () => tryUmount(ctx, umount, mount);
  let failure = await attempt();
  if (failure === undefined) return;
  const target: MountTarget = {mountId: mount.id, devno: mount.devno, mountPoint: mount.mountPoint};
  if (ctx.params.force_unmount === 'false') {
    const users = findMountUsers(target);
    throw new GenericError(
      `cannot unmount ${mount.mountPoint}: ${users.length > 0 ? `in use by ${describeUsers(users)}` : failure} (force_unmount=false)`,
    );
  }
  const held = new Map<number, MountUser>();
  const phases: [string, Deadline][] = [
    [ctx.params.term_signal, ctx.deadline.slice({fraction: 0.5})],
    [ctx.params.kill_signal, ctx.deadline],
  ];
  for (const [signal, until] of phases) {
    const number = parseSignal(signal) as number;
    while (!until.expired()) {
      const users = findMountUsers(target);
      for (const user of users) held.set(user.pid, user);
      const signalled = users.filter((user) => signalUser(user, number));
      if (signalled.length > 0) {
        ctx.log.info(`${mount.mountPoint} is busy: sending ${signal} to ${signalled.map((u) => `${u.comm}[${u.pid}] (${u.uses.join(', ')})`).join(', ')}`);
        await until.slice({ms: ctx.params.signal_delay}).poll(() => !signalled.some(isUserAlive), 50);
      } else {
        await until.sleep(ctx.params.signal_delay);
      }
      failure = await attempt();
      if (failure === undefined) return;
    }
  }
  const still = [...held.values()].filter(isUserAlive);
  const who = still.length > 0 ? `still in use by ${describeUsers(still)}` : held.size > 0 ? `was used by ${describeUsers([...held.values()])}` : 'no process found using it';
  throw new GenericError(`could not unmount ${mount.mountPoint} within the stop timeout: ${who}; ${failure}`);
}

// undefined when the mount is gone (unmounted now or by someone else), else why not.
async function tryUmount(ctx: Ctx, umount: string, mount: MountEntry): Promise<string | undefined> {
  const result = await run(umount, [mount.mountPoint], {deadline: ctx.deadline.slice({ms: UMOUNT_TIMEOUT_MS})});
  if (result.ok) {
    ctx.log.info(`unmounted ${mount.mountPoint} (${mount.source})`);
    return undefined;
  }
  if (!readMountinfo().some((entry) => entry.id === mount.id)) return undefined;
  const why = describeFailure(result);
  ctx.log.debug(why);
  return why;
}
