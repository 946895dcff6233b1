import {mkdtempSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {runAction} from '../../../helpers/run-dispatch';
import {seen, testAgent} from '../../../fixtures/test-agent';

const base = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  OCF_RESOURCE_INSTANCE: 'unit',
  HA_RSCTMP: mkdtempSync(join(tmpdir(), 'hacloud-unit-')),
  OCF_RESKEY_name: 'n1',
  ...extra,
});

describe('dispatch', () => {
  test('an unknown action returns 3 with usage and an exit reason', async () => {
    const out = await runAction(testAgent, 'frobnicate', base());
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('usage: testagent {start|stop|promote|demote|notify|monitor|validate-all|meta-data|usage}');
    expect(out.reason).toBe('action "frobnicate" is not supported by testagent');
  });

  test('no action at all returns 3', async () => {
    expect((await runAction(testAgent, undefined, base())).code).toBe(3);
  });

  test.each(['usage', 'help'])('%s prints usage and returns 0', async (action) => {
    const out = await runAction(testAgent, action, {});
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^usage: testagent /);
  });

  test('meta-data needs no parameters and no instance', async () => {
    const out = await runAction(testAgent, 'meta-data', {OCF_TESTER_FAIL_HAVE_BINARY: '1'});
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('<resource-agent name="testagent"');
  });

  test('a missing required parameter is 6 on start and non-probe monitor', async () => {
    const env = base({OCF_RESKEY_name: undefined, OCF_RESKEY_CRM_meta_interval: '10000'});
    const start = await runAction(testAgent, 'start', env);
    expect(start.code).toBe(6);
    expect(start.reason).toBe('required parameter name is not set');
    expect((await runAction(testAgent, 'monitor', env)).code).toBe(6);
  });

  test('declared promote, demote and notify are dispatched', async () => {
    for (const action of ['promote', 'demote', 'notify']) expect((await runAction(testAgent, action, base())).code).toBe(0);
  });

  test('a missing required parameter is 0 on stop, 7 on a probe, 0 on notify', async () => {
    const env = base({OCF_RESKEY_name: ''});
    expect((await runAction(testAgent, 'stop', env)).code).toBe(0);
    expect((await runAction(testAgent, 'notify', env)).code).toBe(0);
    expect((await runAction(testAgent, 'monitor', {...env, OCF_RESKEY_CRM_meta_interval: '0'})).code).toBe(7);
    expect((await runAction(testAgent, 'monitor', env)).code).toBe(7);
  });

  test('invalid values are 6 with the value and the rule in the reason', async () => {
    const out = await runAction(testAgent, 'start', base({OCF_RESKEY_count: '11'}));
    expect(out.code).toBe(6);
    expect(out.reason).toBe('parameter count="11": must be at most 10');
  });

  test('cross-parameter syntax checks are 6', async () => {
    const out = await runAction(testAgent, 'start', base({OCF_RESKEY_name: 'bad-combination', OCF_RESKEY_flag: 'yes'}));
    expect(out.code).toBe(6);
    expect(out.reason).toBe('name and flag clash');
  });

  test('handlers receive typed values with defaults', async () => {
    await runAction(testAgent, 'start', base({OCF_RESKEY_flag: 'on', OCF_RESKEY_wait: '250ms'}));
    expect(seen.params).toEqual({
      name: 'n1',
      count: 3,
      flag: true,
      mode: 'a',
      wait: 250,
      password: 'hidden-default',
      where: undefined,
    });
  });

  test('an OcfError becomes its code and a one-line exit reason with secrets hidden', async () => {
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'throw-ocf', OCF_RESKEY_password: 's3cr3t-pw'}));
    expect(out.code).toBe(1);
    expect(out.reason).toBe('failed with password ****; second line');
    expect(out.stderr).not.toContain('s3cr3t-pw');
  });

  test('a result with a reason sets the code and the exit reason', async () => {
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'reason'}));
    expect([out.code, out.reason]).toEqual([5, 'no widget']);
  });

  test('an unexpected exception is 1 with an internal-error reason', async () => {
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'throw-plain'}));
    expect([out.code, out.reason]).toEqual([1, 'internal error in start: boom']);
  });

  test('a code outside the OCF set never leaves the agent', async () => {
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'bad-code'}));
    expect([out.code, out.reason]).toEqual([1, 'agent produced invalid exit code 42']);
  });

  test('a handler that overruns its deadline ends with 1 before the timeout', async () => {
    const started = Date.now();
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'hang', OCF_RESKEY_CRM_meta_timeout: '2000'}));
    const elapsed = Date.now() - started;
    expect(out.code).toBe(1);
    expect(out.reason).toMatch(/did not finish within its deadline/);
    expect(elapsed).toBeLessThan(2000);
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  test('the deadline follows OCF_RESKEY_CRM_meta_timeout minus a margin', async () => {
    await runAction(testAgent, 'start', base({OCF_RESKEY_CRM_meta_timeout: '30000'}));
    expect(seen.remainingMs).toBeGreaterThan(26_000);
    expect(seen.remainingMs).toBeLessThanOrEqual(27_000);
    await runAction(testAgent, 'start', base());
    // No timeout given: the declared 20 s minus 2 s.
    expect(seen.remainingMs).toBeLessThanOrEqual(18_000);
    expect(seen.remainingMs).toBeGreaterThan(17_000);
  });

  test.each([
    [undefined, 0],
    ['0', 0],
    ['5', 0],
    ['10', 10],
    ['15', 10],
    ['20', 20],
    ['99', 20],
  ])('OCF_CHECK_LEVEL=%s rounds down to %i', async (level, expected) => {
    await runAction(testAgent, 'monitor', base({OCF_CHECK_LEVEL: level, OCF_RESKEY_CRM_meta_interval: '10000'}));
    expect(seen.checkLevel).toBe(expected);
  });

  test('the legacy OCF_RESKEY_OCF_CHECK_LEVEL is honoured', async () => {
    await runAction(testAgent, 'monitor', base({OCF_RESKEY_OCF_CHECK_LEVEL: '10'}));
    expect(seen.checkLevel).toBe(10);
  });

  test.each([
    [undefined, true],
    ['0', true],
    ['10000', false],
  ])('monitor with interval %s is a probe: %s', async (interval, probe) => {
    await runAction(testAgent, 'monitor', base({OCF_RESKEY_CRM_meta_interval: interval}));
    expect(seen.isProbe).toBe(probe);
  });

  test('validate-all checks the environment by default and only syntax at level 0', async () => {
    const env = base({OCF_RESKEY_name: 'missing-here'});
    const full = await runAction(testAgent, 'validate-all', env);
    expect([full.code, full.reason]).toEqual([5, 'thing not installed here']);
    expect((await runAction(testAgent, 'validate-all', {...env, OCF_CHECK_LEVEL: '0'})).code).toBe(0);
    expect((await runAction(testAgent, 'validate-all', {...env, OCF_RESKEY_count: 'x', OCF_CHECK_LEVEL: '0'})).code).toBe(6);
  });

  test('logs go to HA_LOGFILE; debug only with HA_debug; secrets never', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hacloud-log-'));
    const logFile = join(dir, 'ha.log');
    const env = base({TEST_BEHAVIOUR: 'log', HA_LOGFILE: logFile, OCF_RESKEY_password: 'pw-123456'});
    const quiet = await runAction(testAgent, 'start', env);
    expect(quiet.stderr).toContain('testagent(unit)');
    expect(quiet.stderr).toContain('INFO: info with ****');
    expect(quiet.stderr).not.toContain('debug line');
    const loud = await runAction(testAgent, 'start', {...env, HA_debug: '1'});
    expect(loud.stderr).toContain('DEBUG: debug line');
    const logged = readFileSync(logFile, 'utf8');
    expect(logged).toMatch(/^\d{4}-\d\d-\d\dT.* testagent\(unit\)\[\d+\]: INFO: info with \*\*\*\*$/m);
    expect(logged).not.toContain('pw-123456');
  });

  test('OCF_TRACE_RA turns on debug output too', async () => {
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'log', OCF_TRACE_RA: '1'}));
    expect(out.stderr).toContain('DEBUG: debug line');
  });

  test('OCF_EXIT_REASON_PREFIX replaces the default prefix', async () => {
    const out = await runAction(testAgent, 'start', base({TEST_BEHAVIOUR: 'reason', OCF_EXIT_REASON_PREFIX: 'why:'}));
    expect(out.stderr).toContain('why:no widget\n');
  });
});
