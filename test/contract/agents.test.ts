import {execa} from 'execa';
import {existsSync, readlinkSync} from 'node:fs';
import {AGENT_DIR, HACLOUD, installedAgents, runInstalledAgent} from '../helpers/installed-agent';

const DATADIR = '/usr/share/resource-agents';

// Each check runs once per agent, and crm ra info takes about a second each.
jest.setTimeout(60_000);

// Checks every installed agent against the schemas and tools operators use.
describe('installed agents', () => {
  let agents: string[] = [];
  beforeAll(async () => {
    if (!existsSync(HACLOUD)) throw new Error(`${HACLOUD} is not installed: run make install`);
    agents = await installedAgents();
  });

  test('the binary serves at least vip, and every agent is linked into the provider directory', () => {
    expect(agents).toContain('vip');
    for (const agent of agents) expect(readlinkSync(`${AGENT_DIR}/${agent}`)).toBe(HACLOUD);
  });

  test('meta-data runs as nobody, even with every binary reported missing', async () => {
    for (const agent of agents) {
      const result = await execa('runuser', ['-u', 'nobody', '--', `${AGENT_DIR}/${agent}`, 'meta-data'], {
        env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', OCF_TESTER_FAIL_HAVE_BINARY: '1'},
        extendEnv: false,
        reject: false,
      });
      expect([agent, result.exitCode]).toEqual([agent, 0]);
      expect(result.stdout).toContain(`<resource-agent name="${agent}"`);
    }
  });

  test("meta-data is valid against ocf-tester's ra-api-1.dtd and resource-agents' metadata.rng", async () => {
    for (const agent of agents) {
      const {stdout: xml} = await runInstalledAgent(agent, 'meta-data');
      const dtd = await execa('xmllint', ['--noout', '--valid', '-'], {input: xml, cwd: DATADIR, reject: false});
      expect([agent, dtd.exitCode, dtd.stderr]).toEqual([agent, 0, '']);
      const rng = await execa('xmllint', ['--noout', '--relaxng', `${DATADIR}/metadata.rng`, '-'], {input: xml, reject: false});
      expect([agent, rng.exitCode]).toEqual([agent, 0]);
    }
  });

  test('Pacemaker and crmsh read the same meta-data', async () => {
    for (const agent of agents) {
      const ours = (await runInstalledAgent(agent, 'meta-data')).stdout;
      const pacemaker = await execa('crm_resource', ['--show-metadata', `ocf:hacloud:${agent}`]);
      expect(pacemaker.stdout.trim()).toBe(ours.trim());
      const crm = await execa('crm', ['ra', 'info', `ocf:hacloud:${agent}`], {reject: false});
      expect([agent, crm.exitCode]).toEqual([agent, 0]);
      expect(crm.stdout).toContain(`(ocf:hacloud:${agent})`);
      const cli = await execa(HACLOUD, ['meta-data', agent]);
      expect(cli.stdout.trim()).toBe(ours.trim());
    }
  }, 150_000); // two programs per agent (25 agents): about a minute on a loaded 2-core machine

  test('usage is 0, an unknown action is 3 with usage and an exit reason', async () => {
    for (const agent of agents) {
      const usage = await runInstalledAgent(agent, 'usage');
      expect([agent, usage.code]).toEqual([agent, 0]);
      const actions = /^usage: \S+ \{([^}]*)\}/.exec(usage.stdout)?.[1]?.split('|') ?? [];
      expect(actions).toEqual(expect.arrayContaining(['start', 'stop', 'monitor', 'validate-all', 'meta-data']));
      const unknown = await runInstalledAgent(agent, 'no_such_action');
      expect([agent, unknown.code]).toEqual([agent, 3]);
      expect(unknown.reason).toBe(`action "no_such_action" is not supported by ${agent}`);
    }
  });

  test('hacloud answers version, agents and run', async () => {
    const version = await execa(HACLOUD, ['version']);
    expect(version.stdout).toMatch(/^hacloud \d+\.\d+\.\d+/);
    const run = await execa(HACLOUD, ['run', 'vip', 'validate-all', '-p', 'ip=203.0.113.9', '-p', 'cidr_netmask=40', '--check-level', '0'], {reject: false});
    expect(run.exitCode).toBe(6);
    expect(run.stderr).toContain('ocf-exit-reason:cidr_netmask=40 is not a prefix length for IPv4');
    const bad = await execa(HACLOUD, ['meta-data', 'nosuchagent'], {reject: false});
    expect(bad.exitCode).toBe(2);
  });
});
