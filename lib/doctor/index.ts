import {checkBinaries} from './binaries';
import {checkCorosync} from './corosync';
import {checkDrbdConfig} from './drbd-config';
import {checkErlangCookie} from './erlang-cookie';
import {checkFernetKeys} from './fernet';
import {checkStonith} from './stonith';
import {checkTimeSync} from './time-sync';
import type {Check, CheckResult, DoctorContext} from './types';
import {checkDistroUnits} from './units';

export {parseCib} from './cib';
export {planDoctor} from './plan';
export type {CheckResult, DoctorContext} from './types';

// Every check, in the order the report prints them.
export const CHECKS: readonly Check[] = [
  checkDistroUnits, checkBinaries, checkDrbdConfig, checkCorosync, checkStonith, checkErlangCookie, checkFernetKeys, checkTimeSync,
];

// Runs every check; one that throws is reported as a fail, not a crash.
export function runChecks(ctx: DoctorContext, checks: readonly Check[] = CHECKS): CheckResult[] {
  return checks.map((check) => {
    try {
      return check(ctx);
    } catch (error) {
      return {name: check.name.replace(/^check/, ''), status: 'fail', detail: `the check failed: ${(error as Error).message}`};
    }
  });
}

// `PASS  name: detail` lines and a summary line.
export function formatReport(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.name}: ${r.detail}`);
  const count = (s: CheckResult['status']) => results.filter((r) => r.status === s).length;
  lines.push(`${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed, ${count('skip')} skipped`);
  return `${lines.join('\n')}\n`;
}

// 1 when any check failed; warnings do not fail the run.
export const exitCode = (results: readonly CheckResult[]): number => (results.some((r) => r.status === 'fail') ? 1 : 0);
