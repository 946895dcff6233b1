import {lstatSync, readdirSync} from 'node:fs';
import {join} from 'node:path';

// The units among `units` (names without .service) that start at boot: a
// link UNIT.service in any *.wants directory of `dir` (what systemctl
// enable makes). Read with lstat: the link's target may lie outside `dir`'s tree.
export function enabledUnits(units: readonly string[], dir = '/etc/systemd/system'): string[] {
  let wants: string[];
  try {
    wants = readdirSync(dir).filter((name) => name.endsWith('.wants'));
  } catch {
    return [];
  }
  const present = (path: string): boolean => {
    try {
      lstatSync(path);
      return true;
    } catch {
      return false;
    }
  };
  return units.filter((unit) => wants.some((w) => present(join(dir, w, `${unit}.service`))));
}
