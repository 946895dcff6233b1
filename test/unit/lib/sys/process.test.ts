import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Deadline} from '../../../../lib/ocf/deadline';
import {findBinary} from '../../../../lib/sys/binaries';
import {isOurProcess, startDaemon, stopDaemon} from '../../../../lib/sys/daemon';
import {run} from '../../../../lib/sys/exec';
import {readPidfile, writePidfile} from '../../../../lib/sys/pidfile';
import {isAlive, parseProcStat, readProcStat} from '../../../../lib/sys/proc';

const dir = mkdtempSync(join(tmpdir(), 'hacloud-sys-'));

describe('proc', () => {
  test('parses stat lines whose command holds spaces and parentheses', () => {
    const line = '4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: 'my (odd) prog',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      session: 4242,
      startTime: 987654,
    });
  });
  test('reads this process', () => {
    expect(readProcStat(process.pid)?.pid).toBe(process.pid);
    expect(isAlive(2 ** 22 + 7)).toBe(false);
  });
});

describe('pidfile', () => {
  test('round trip with start time', () => {
    const path = join(dir, 'x.pid');
    writePidfile(path, {pid: 1234, startTime: 99});
    expect(readFileSync(path, 'utf8')).toBe('1234\n99\n');
    expect(readPidfile(path)).toEqual({pid: 1234, startTime: 99});
  });
  test('a plain pidfile written by a daemon', () => {
    const path = join(dir, 'plain.pid');
    writeFileSync(path, '777\n');
    expect(readPidfile(path)).toEqual({pid: 777});
  });
  test.each(['', 'garbage\n', '1\n', '-5\n'])('rejects %j', (text) => {
    const path = join(dir, 'bad.pid');
    writeFileSync(path, text);
    expect(readPidfile(path)).toBeUndefined();
  });
});

describe('daemons', () => {
  test('start in their own session and stop with TERM', async () => {
    const pidfile = join(dir, 'sleep.pid');
    const {pid} = await startDaemon({file: 'sleep', args: ['300'], pidfile});
    const stat = readProcStat(pid);
    expect(stat?.session).toBe(pid);
    expect(stat?.pgrp).toBe(pid);
    expect(readPidfile(pidfile)).toEqual({pid, startTime: stat?.startTime});
    expect(await stopDaemon(pidfile, Deadline.after(5000))).toBe('terminated');
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(pidfile)).toBe(false);
  });

  test('a daemon that ignores TERM is killed inside the deadline', async () => {
    const pidfile = join(dir, 'stubborn.pid');
    const {pid} = await startDaemon({
      file: process.execPath,
      args: ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"],
      pidfile,
    });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    expect(await stopDaemon(pidfile, Deadline.after(2000))).toBe('killed');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(isAlive(pid)).toBe(false);
  });

  test('a pid reused by another process is never signalled', async () => {
    const other = spawn('sleep', ['30'], {stdio: 'ignore'});
    const pid = other.pid as number;
    const pidfile = join(dir, 'reused.pid');
    const real = readProcStat(pid)?.startTime as number;
    writePidfile(pidfile, {pid, startTime: real + 1});
    expect(isOurProcess({pid, startTime: real + 1})).toBe(false);
    expect(await stopDaemon(pidfile, Deadline.after(1000))).toBe('not-running');
    expect(isAlive(pid)).toBe(true);
    other.kill('SIGKILL');
  });

  test('a missing program is an error at start', async () => {
    await expect(startDaemon({file: '/nonexistent/prog', args: [], pidfile: join(dir, 'no.pid')})).rejects.toThrow(/ENOENT/);
  });
});

describe('run', () => {
  test('passes arguments verbatim and sets LC_ALL=C', async () => {
    const result = await run('env', [], {deadline: Deadline.after(5000), env: {LANG: 'de_DE.UTF-8'}});
    expect(result.ok).toBe(true);
    expect(result.stdout).toMatch(/^LC_ALL=C$/m);
    const echo = await run('printf', ['%s|', 'a b', '$(touch /tmp/x)', ';ls'], {deadline: Deadline.after(5000)});
    expect(echo.stdout).toBe('a b|$(touch /tmp/x)|;ls|');
  });
  test('stops a child at the deadline', async () => {
    const started = Date.now();
    const result = await run('sleep', ['10'], {deadline: Deadline.after(300)});
    expect(result.timedOut).toBe(true);
    expect(result.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(3000);
  });
  test('reports a program that cannot be executed', async () => {
    const result = await run('/nonexistent/tool', [], {deadline: Deadline.after(1000)});
    expect(result.notFound).toBe(true);
  });
  test('returns the exit code of a failing program', async () => {
    const result = await run('false', [], {deadline: Deadline.after(1000)});
    expect([result.ok, result.exitCode]).toEqual([false, 1]);
  });
});

describe('findBinary', () => {
  test('finds programs on PATH and in the sbin directories', () => {
    expect(findBinary('sh', {PATH: '/usr/bin:/bin'})).toMatch(/\/sh$/);
    expect(findBinary('ip', {PATH: '/nonexistent'})).toMatch(/\/ip$/);
    expect(findBinary('no-such-tool-hacloud', {PATH: '/usr/bin'})).toBeUndefined();
  });
  test('honours OCF_TESTER_FAIL_HAVE_BINARY', () => {
    expect(findBinary('sh', {PATH: '/usr/bin:/bin', OCF_TESTER_FAIL_HAVE_BINARY: '1'})).toBeUndefined();
  });
});
