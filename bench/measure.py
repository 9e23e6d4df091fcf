#!/usr/bin/env python3
"""Runs one command and prints its wall time, CPU time and peak memory as one JSON line.

  measure.py NAME -- COMMAND [ARGS...]

Peak memory is the child's maximum resident set size (getrusage RUSAGE_CHILDREN), so each
measurement runs in its own measure.py process and sees only its own command.
"""
import json
import resource
import subprocess
import sys
import time


def main():
    if "--" not in sys.argv or sys.argv.index("--") != 2:
        sys.exit(__doc__)
    name, command = sys.argv[1], sys.argv[3:]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{name}: {' '.join(command)} exited with {done.returncode}")
    print(json.dumps({"name": name, "wall_s": round(wall, 3),
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
                      "peak_mb": round(usage.ru_maxrss / 1024, 1)}))


if __name__ == "__main__":
    main()
