#!/usr/bin/env python3
"""Runs commands interleaved and reports each run's wall time, CPU time and
peak memory from wait4(2) (microsecond CPU figures, children included).

usage: rusage.py RUNS WARMUP JSON_COMMANDS
  JSON_COMMANDS: {"name": {"argv": [...], "env": {...}}, ...}
Prints one JSON object: {"name": [{"wall": s, "cpu": s, "rss_kb": n, "rc": n}, ...]}.
"""
import json
import os
import sys
import time


def measure(argv, env):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_kb": usage.ru_maxrss,
        "rc": os.waitstatus_to_exitcode(status),
    }


def main():
    runs, warmup, commands = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    results = {name: [] for name in commands}
    for i in range(warmup + runs):
        for name, spec in commands.items():
            sample = measure(spec["argv"], spec["env"])
            if i >= warmup:
                results[name].append(sample)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
