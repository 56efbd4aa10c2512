#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/) with lines written by real
# servers, from fixtures/<server>/<scenario>/ (error.log, access*.log, php-fpm.log and the
# log formats in labels.json).
#
#   fuzz/seed.sh [FIXTURES_DIR] [LINES_PER_FILE]
#
# Targets that take a format string and a line (nginx_access, apache_access,
# apache_error_format) and detect (an optional path and a sample) get inputs encoded the
# way `arbitrary` 1.x decodes `(&str, &[u8])` / `(Option<&str>, &[u8])`, so that the
# seeds reach the parsers as real (format, line) pairs. pipeline gets two leading bytes (format
# choice, zone) and the first lines of each log. The config targets get the kept config
# trees and nginx -T output of the config fixtures. Needs python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fixtures=${1:-$here/../fixtures}
per_file=${2:-25}

if [[ ! -d $fixtures ]]; then
  echo "seed.sh: no fixtures directory at $fixtures" >&2
  exit 1
fi

python3 - "$fixtures" "$here/corpus" "$per_file" <<'PY'
import glob, hashlib, json, os, sys

fixtures, corpus, per_file = sys.argv[1], sys.argv[2], int(sys.argv[3])
counts = {}

def put(target, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1

def size_suffix(first_len, rest_len):
    """arbitrary 1.x: the byte length of the first field, read from the end of the input."""
    total = first_len + rest_len
    if total + 1 <= 256:
        return bytes([first_len])
    if total + 2 <= 65537:
        return first_len.to_bytes(2, "big")
    return first_len.to_bytes(4, "big")

def pair(text, rest):
    """(&str, &[u8])"""
    first = text.encode()
    return first + rest + size_suffix(len(first), len(rest))

def lines(path, limit=per_file):
    try:
        with open(path, "rb") as f:
            out = [l for l in f.read().split(b"\n") if l.strip()]
    except OSError:
        return []
    return out[:limit]

for server in sorted(os.listdir(fixtures)):
    sdir = os.path.join(fixtures, server)
    if not os.path.isdir(sdir):
        continue
    for scenario in sorted(os.listdir(sdir)):
        dir_ = os.path.join(sdir, scenario)
        try:
            with open(os.path.join(dir_, "labels.json")) as f:
                labels = json.load(f)
        except (OSError, ValueError):
            continue
        kinds = labels.get("logs", {})
        formats = labels.get("log_formats", {})
        for name, kind in kinds.items():
            path = os.path.join(dir_, name)
            sample = lines(path)
            if not sample:
                continue
            if kind == "nginx-error":
                for l in sample:
                    put("nginx_error", l)
            elif kind == "apache-error":
                for l in sample:
                    put("apache_error", l)
                    if labels.get("error_log_format"):
                        put("apache_error_format", pair(labels["error_log_format"], l))
            elif kind == "php-fpm":
                for l in sample:
                    put("php_fpm", l)
            elif kind == "haproxy":
                for l in sample:
                    put("haproxy", l)
            elif kind in ("nginx-access", "apache-access") and name in formats:
                target = "nginx_access" if kind == "nginx-access" else "apache_access"
                for l in sample:
                    put(target, pair(formats[name], l))
            # pipeline: a format choice byte (0: detect, 4..: forced, matching the log),
            # a zone byte, then the first lines of the log as it is.
            choice = {"nginx-error": 4, "apache-error": 5, "php-fpm": 6}.get(kind, 0)
            put("pipeline", bytes([choice, len(sample) % 4]) + b"\n".join(sample) + b"\n")
            put("pipeline", bytes([0, 2]) + b"\r\n".join(sample[:8]))
            # detect: (Some(path), first lines); the leading 1 makes the Option Some.
            rel = os.path.join(server, scenario, name)
            body = b"\n".join(sample[:10])
            put("detect", b"\x01" + pair(rel, body)[0:])

# The config readers: nginx -T output (several files), Apache and PHP-FPM trees as the
# targets split them (parts separated by NUL: main file, envvars / php.ini, then the rest).
def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None

def files_under(d):
    out = []
    for root, _, names in sorted(os.walk(d)):
        out += [os.path.join(root, n) for n in sorted(names)]
    return out

for server in sorted(os.listdir(fixtures)):
    sdir = os.path.join(fixtures, server)
    if not os.path.isdir(sdir):
        continue
    for scenario in sorted(os.listdir(sdir)):
        dir_ = os.path.join(sdir, scenario)
        for dump in ("nginx-T.txt", "nginx-T-refused.txt"):
            data = read(os.path.join(dir_, dump))
            if data:
                put("config_nginx", data)
        for site in files_under(os.path.join(dir_, "etc/nginx/sites-enabled")):
            put("config_nginx", read(site))
        apache = os.path.join(dir_, "etc/apache2")
        if os.path.isdir(apache):
            rest = [read(f) for f in files_under(apache) if not f.endswith(("apache2.conf", "envvars"))]
            put("config_apache", b"\0".join([read(os.path.join(apache, "apache2.conf")) or b"",
                                            read(os.path.join(apache, "envvars")) or b""] + rest))
        for fpm in sorted(glob.glob(os.path.join(dir_, "etc/php/*/fpm"))):
            pools = [read(f) for f in files_under(os.path.join(fpm, "pool.d"))]
            put("config_fpm", b"\0".join([read(os.path.join(fpm, "php-fpm.conf")) or b"",
                                         read(os.path.join(fpm, "php.ini")) or b""] + pools))

# Edge logs written from real nginx captures (fixtures/edge/<product>/<scenario>/, files
# named in labels.json, gzip as the products deliver them).
import gzip
edge_targets = {"aws-alb": "aws_alb", "cloudfront": "cloudfront", "cloudflare": "cloudflare",
                "gcp-lb": "gcp_lb"}
edge_root = os.path.join(fixtures, "edge")
for product in sorted(os.listdir(edge_root)) if os.path.isdir(edge_root) else []:
    if not os.path.isdir(os.path.join(edge_root, product)):
        continue  # README.md
    for scenario in sorted(os.listdir(os.path.join(edge_root, product))):
        dir_ = os.path.join(edge_root, product, scenario)
        if not os.path.isdir(dir_):
            continue
        try:
            with open(os.path.join(dir_, "labels.json")) as f:
                labels = json.load(f)
        except (OSError, ValueError):
            continue
        for name in labels.get("files", []):
            with open(os.path.join(dir_, name), "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            all_lines = [l for l in data.split(b"\n") if l.strip()]
            header = next((l.decode() for l in all_lines if l.startswith(b"#Fields:")), "")
            sample = [l for l in all_lines if not l.startswith(b"#")][:per_file]
            target = edge_targets[product]
            for l in sample:
                put(target, pair(header, l) if target == "cloudfront" else l)
            put("pipeline", bytes([0, 0]) + b"\n".join(all_lines[:per_file]) + b"\n")
# envelope: the syslog, journald and container envelope fixtures as they are (choice 0:
# detection; 1-5: forced), a limit byte, then their first lines; and plain error/access lines
# to wrap and decode back (choice with the top bit set).
env_files = []
for root, _, names in os.walk(fixtures):
    rel = os.path.relpath(root, fixtures)
    if rel.startswith("envelope") or rel.endswith(("/syslog", "/journald")):
        env_files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".log", ".json"))]
for path in sorted(env_files):
    sample = lines(path, per_file)
    if sample:
        for choice in (0, 1, 2, 3, 4, 5):
            put("envelope", bytes([choice, 255]) + b"\n".join(sample) + b"\n")
        put("envelope", bytes([0, 40]) + b"\n".join(sample[:6]))
for server in ("nginx", "apache"):
    for name in ("error.log", "access.log"):
        path = os.path.join(fixtures, server, "refused", name)
        sample = lines(path, 8)
        if sample:
            for envelope in range(1, 6):
                put("envelope", bytes([0x80 | envelope, 255]) + b"\n".join(sample))

for target, n in sorted(counts.items()):
    print(f"{target}: {n} new inputs")
PY

# state: each scenario's state as logscan --save-state writes it (first byte 0: a whole
# file) and its decompressed body (first byte 1), written by the logscan binary
# ($LOGSCAN, default target/debug/logscan: cargo build -p logscan first) and zstd.
logscan=${LOGSCAN:-$here/../target/debug/logscan}
if [[ ! -x $logscan ]] || ! command -v zstd >/dev/null; then
  echo "seed.sh: state seeds skipped (no $logscan or no zstd)" >&2
  exit 0
fi
python3 - "$fixtures" "$here/corpus/state" "$logscan" <<'PY'
import glob, hashlib, os, subprocess, sys, tempfile

fixtures, corpus, logscan = sys.argv[1:4]
os.makedirs(corpus, exist_ok=True)
new = 0
for scenario in sorted(glob.glob(os.path.join(fixtures, "*", "*", ""))):
    logs = sorted(glob.glob(os.path.join(scenario, "*.log")))
    if not logs:
        continue
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "s.state")
        subprocess.run([logscan, "--tz", "UTC", "--save-state", path, *logs],
                       check=True, stderr=subprocess.DEVNULL)
        state = open(path, "rb").read()
    header_len = int.from_bytes(state[12:16], "little")
    body = state[16 + header_len + 16:-4]
    raw = subprocess.run(["zstd", "-dc"], input=body, capture_output=True, check=True).stdout
    for data in (b"\x00" + state, b"\x01" + raw):
        out = os.path.join(corpus, hashlib.sha1(data).hexdigest())
        if not os.path.exists(out):
            open(out, "wb").write(data)
            new += 1
print(f"state: {new} new inputs")
PY
