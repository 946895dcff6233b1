import {PermError} from './errors';

// Actions that change the system run as root (4 otherwise).
export const requireRoot = (ctx: {readonly action: string}): void => {
  if (process.geteuid?.() !== 0) throw new PermError(`${ctx.action} must run as root`);
};
