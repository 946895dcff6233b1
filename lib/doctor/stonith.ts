import {result, type CheckResult, type DoctorContext} from './types';

// (5) Fencing: stonith-enabled not false and at least one stonith device.
// Without a CIB (no cluster running, no --cib): a warn, not a pass.
export function checkStonith(ctx: DoctorContext): CheckResult {
  const name = 'stonith';
  if (!ctx.cib) return result(name, 'warn', `not checked: ${ctx.cibNote ?? 'no CIB'}`);
  const enabled = ctx.cib.properties['stonith-enabled'];
  const devices = ctx.cib.primitives.filter((p) => p.class === 'stonith');
  const problems: string[] = [];
  if (enabled !== undefined && /^(false|no|off|0|n)$/i.test(enabled)) problems.push(`stonith-enabled is ${enabled}`);
  if (devices.length === 0) problems.push('no stonith device configured');
  if (problems.length > 0) return result(name, 'fail', problems.join('; '));
  return result(name, 'pass', `stonith enabled, devices: ${devices.map((d) => `${d.id} (${d.type})`).join(', ')}`);
}
