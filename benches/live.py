#!/usr/bin/env python3
"""Figures of `logscan --follow` (benches/README.md, "Live mode"): incident latency and
idle CPU, measured on the release binary.

    cargo build --release -p logscan
    python3 benches/live.py [target/release/logscan]

Incident latency: a followed nginx error log gets connect() failures at 10 a second;
the time from writing the first failing line to reading `incident_open` on logscan's
stdout, five times. Idle CPU: the CPU time logscan's threads use (summed from
/proc/PID/task/*/schedstat, in ns) over 5 s in which nothing is written, following a
directory of five logs, after the same in which lines were written.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/logscan"


def line(n):
    now = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime())
    return (f"{now} [error] 812#812: *{n} connect() failed (111: Connection refused) while "
            f"connecting to upstream, client: 127.0.0.1, server: shop.example.test, request: "
            f"\"GET /api/items?page={n} HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", "
            f"host: \"shop.example.test\"\n")


def cpu_ns(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def start(args):
    env = dict(os.environ, TZ="UTC")
    return subprocess.Popen([BINARY, "--follow", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1)


def latency():
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "error.log")
        open(log, "w").close()
        proc = start([log])
        time.sleep(1.0)
        first = None
        with open(log, "a", buffering=1) as out:
            for n in range(30):
                out.write(line(n))
                out.flush()
                if first is None:
                    first = time.monotonic()
                # Three lines 100 ms apart: a burst of 10 failures a second.
                if n >= 2:
                    break
                time.sleep(0.1)
        got = None
        while got is None:
            text = proc.stdout.readline()
            if not text:
                break
            if json.loads(text).get("type") == "incident_open":
                got = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        return got - first


def idle():
    with tempfile.TemporaryDirectory() as d:
        for name in ["error.log", "access.log", "shop.error.log", "shop.access.log", "php8.2-fpm.log"]:
            with open(os.path.join(d, name), "w") as f:
                f.write(line(0))
        proc = start([d])
        time.sleep(2.0)
        with open(os.path.join(d, "error.log"), "a", buffering=1) as out:
            busy0 = cpu_ns(proc.pid)
            t0 = time.monotonic()
            n = 1
            while time.monotonic() - t0 < 5.0:
                out.write(line(n))
                n += 1
                time.sleep(0.01)
            busy = cpu_ns(proc.pid) - busy0
        time.sleep(8.0)  # the incident closes; then nothing happens
        before = cpu_ns(proc.pid)
        time.sleep(5.0)
        quiet = cpu_ns(proc.pid) - before
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
        return busy, n, quiet


if __name__ == "__main__":
    runs = [latency() for _ in range(5)]
    print("incident latency (first failing line written -> incident_open read), 5 runs: "
          f"min {min(runs) * 1000:.0f} ms, median {statistics.median(runs) * 1000:.0f} ms, "
          f"max {max(runs) * 1000:.0f} ms")
    busy, lines, quiet = idle()
    print(f"CPU over 5 s while {lines} lines were written (100/s): {busy / 1e6:.1f} ms")
    print(f"CPU over 5 s with nothing written (idle): {quiet / 1e6:.2f} ms "
          f"({quiet / 5e9 * 100:.3f} % of a core)")
