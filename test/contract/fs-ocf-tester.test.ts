import {execa} from 'execa';
import {join} from 'node:path';
import {AGENT_DIR} from '../helpers/installed-agent';
import {createLoopLab, isMounted, type LoopFs, type LoopLab} from '../helpers/loop-fs';

jest.setTimeout(120_000);

// ocf-tester on fs with a real ext4 filesystem on a loop device under /var/tmp/hct-fs-*.
describe('ocf-tester on fs', () => {
  let lab: LoopLab;
  let loop: LoopFs;
  beforeAll(async () => {
    lab = createLoopLab('oct');
    loop = await lab.create('oct');
  });
  afterAll(async () => lab?.cleanup());

  test.each([
    ['a block device', 'plain', (l: LoopFs, dir: string) => [`device=${l.device}`, `directory=${dir}`, 'fstype=ext4']],
    ['options, forced fsck, a trailing slash', 'options', (l: LoopFs, dir: string) =>
      [`device=${l.device}`, `directory=${dir}/`, 'fstype=ext4', 'options=noatime', 'run_fsck=force']],
  ])('%s: zero failures', async (_what, name, params) => {
    const directory = join(lab.base, name);
    const options = params(loop, directory).flatMap((p) => ['-o', p]);
    const result = await execa('ocf-tester', ['-n', `oct-fs-${process.pid}`, ...options, `${AGENT_DIR}/fs`], {reject: false, all: true});
    expect(result.all).toContain('passed all tests');
    expect(result.exitCode).toBe(0);
    // ocf-tester leaves the resource stopped.
    expect(isMounted(directory)).toBe(false);
  });
});
