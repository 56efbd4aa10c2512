#!/usr/bin/env python3
"""Replays captured nginx logs into a directory at their own pace, with times moved to
now, as if the outage were happening: for watching `logscan --follow` (the README's
screenshot of the live view was taken this way).

    python3 benches/replay.py fixtures/nginx/mixed /tmp/outage [SPEEDUP]
    logscan -f /tmp/outage          # in another terminal

Reads error.log and access*.log of the fixture, writes error.log and access.log.
"""
import os
import re
import sys
import time
from datetime import datetime, timedelta, timezone

SOURCE, TARGET = sys.argv[1], sys.argv[2]
SPEEDUP = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
ERROR_TIME = re.compile(rb"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)")
ACCESS_TIME = re.compile(rb"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) ([+-]\d{4})\]")


def read(name, access):
    out = []
    path = os.path.join(SOURCE, name)
    with open(path, "rb") as f:
        for raw in f:
            m = (ACCESS_TIME if access else ERROR_TIME).search(raw)
            if not m:
                continue
            if access:
                t = datetime.strptime(m.group(1).decode() + " " + m.group(2).decode(), "%d/%b/%Y:%H:%M:%S %z")
            else:
                t = datetime.strptime(m.group(1).decode(), "%Y/%m/%d %H:%M:%S").replace(tzinfo=timezone.utc)
            out.append((t, access, raw, m))
    return out


lines = read("error.log", False)
for name in sorted(os.listdir(SOURCE)):
    if name.startswith("access") and name.endswith(".log"):
        lines += read(name, True)
        break
lines.sort(key=lambda l: l[0])
os.makedirs(TARGET, exist_ok=True)
outs = {False: open(os.path.join(TARGET, "error.log"), "ab", buffering=0),
        True: open(os.path.join(TARGET, "access.log"), "ab", buffering=0)}
first = lines[0][0]
start = datetime.now(timezone.utc)
clock = time.monotonic()
for t, access, raw, m in lines:
    offset = (t - first).total_seconds() / SPEEDUP
    now = start + timedelta(seconds=offset)
    delay = clock + offset - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    if access:
        stamp = now.strftime("%d/%b/%Y:%H:%M:%S +0000").encode()
        raw = raw[:m.start(1)] + stamp + raw[m.end(2):]
    else:
        raw = now.strftime("%Y/%m/%d %H:%M:%S").encode() + raw[m.end(1):]
    outs[access].write(raw)
