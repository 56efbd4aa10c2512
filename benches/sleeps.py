#!/usr/bin/env python3
"""Where a run's threads waited: from a `perf record -e sched:sched_switch -a` trace, for
each thread whose name starts with PREFIX (and logscan's own `logscan-*` threads), the time
it ran, slept (S/D) and waited runnable (preempted), and its sleeps longer than 2 ms.

    perf record -e sched:sched_switch -a -o trace.perf logscan --threads 2 ... INPUT
    benches/sleeps.py trace.perf logscan
"""
import collections
import re
import subprocess
import sys

SWITCH = re.compile(r"\s(\d+\.\d+):\s+sched:sched_switch: prev_comm=(.*?) prev_pid=(\d+) "
                    r"prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    trace, prefix = sys.argv[1], sys.argv[2]
    ours = lambda name: name.startswith(prefix) or name.startswith("logscan")
    text = subprocess.run(["perf", "script", "-i", trace], capture_output=True,
                          text=True, check=True).stdout
    t0 = None
    state, names, first, last = {}, {}, {}, {}
    ran, slept, preempted = (collections.Counter() for _ in range(3))
    long_sleeps = []
    for line in text.splitlines():
        m = SWITCH.search(line)
        if not m:
            continue
        t = float(m.group(1))
        t0 = t if t0 is None else t0
        prev, prev_tid, prev_state = m.group(2), int(m.group(3)), m.group(4)
        nxt, next_tid = m.group(5), int(m.group(6))
        if ours(prev):
            names[prev_tid] = prev
            first.setdefault(prev_tid, t)
            last[prev_tid] = t
            if state.get(prev_tid, ("",))[0] == "on":
                ran[prev_tid] += t - state[prev_tid][1]
            state[prev_tid] = ("off", t, prev_state)
        if ours(nxt):
            names[next_tid] = nxt
            first.setdefault(next_tid, t)
            last[next_tid] = t
            if state.get(next_tid, ("",))[0] == "off":
                _, since, why = state[next_tid]
                if why.startswith("R"):
                    preempted[next_tid] += t - since
                else:
                    slept[next_tid] += t - since
                    if t - since > 0.002:
                        long_sleeps.append((since - t0, t - since, next_tid, why))
            state[next_tid] = ("on", t)
    for tid in sorted(names):
        print(f"{tid} {names[tid]:16s} from {first[tid] - t0:7.3f} to {last[tid] - t0:7.3f} s: "
              f"ran {ran[tid]:.3f}, asleep {slept[tid]:.3f}, preempted {preempted[tid]:.3f}")
    for at, length, tid, why in sorted(long_sleeps):
        print(f"  asleep at {at:7.3f} s for {length * 1000:6.1f} ms: {tid} ({names[tid]}), {why}")


if __name__ == "__main__":
    main()
