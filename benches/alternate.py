#!/usr/bin/env python3
"""Two or more logscan binaries on one input, run by turns so that a host whose speed drifts
treats them alike: one warm-up run each, then N rounds, the order flipped every round.
Prints each binary's mean, median and fastest wall time, MB/s (of the input's size on disk;
for an archive, of its decompressed size if given), and its mean CPU (user + system).

    benches/alternate.py N INPUT THREADS BIN... [--size BYTES]

Run it on a quiet machine (see benches/README.md, "twelfth pass: before and after").
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run(binary, path, threads):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([binary, "--threads", threads, "--output", "json", path],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    args = sys.argv[1:]
    size = None
    if "--size" in args:
        i = args.index("--size")
        size = int(args[i + 1])
        del args[i:i + 2]
    if len(args) < 4:
        sys.exit(__doc__)
    rounds, path, threads, binaries = int(args[0]), args[1], args[2], args[3:]
    size = size or os.path.getsize(path)
    times = {b: [] for b in binaries}
    for b in binaries:
        run(b, path, threads)
    for r in range(rounds):
        for b in (binaries if r % 2 == 0 else binaries[::-1]):
            times[b].append(run(b, path, threads))
    for b in binaries:
        walls = [w for w, _ in times[b]]
        cpus = [c for _, c in times[b]]
        mean = statistics.mean(walls)
        print(f"{b}: wall mean {mean:.3f} s, median {statistics.median(walls):.3f}, "
              f"fastest {min(walls):.3f} ({size / 1e6 / mean:,.0f} MB/s mean, "
              f"{size / 1e6 / min(walls):,.0f} fastest); CPU mean {statistics.mean(cpus):.2f} s")


if __name__ == "__main__":
    main()
