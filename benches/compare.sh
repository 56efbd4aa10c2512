#!/usr/bin/env bash
# Whole-process comparison of logscan with the tools people use instead, on generated
# logs in the page cache. One command on a Debian machine (root or sudo):
#
#   benches/compare.sh                 # 1 GB inputs, 3 timed runs each
#   SIZE=256M RUNS=2 benches/compare.sh   # quicker
#   ONLY=edge NO_README=1 benches/compare.sh   # only the rows whose workload contains "edge"
#
# It installs goaccess, lnav, ripgrep, hyperfine, GNU time, zstd, pigz and python3 from
# Debian packages (NO_INSTALL=1 skips that), builds logscan and loggen with the release
# profile, generates the inputs under $DATA (default target/compare-data, ~8 GB at 1G),
# times every command with hyperfine, measures peak RSS with /usr/bin/time -v, and writes
# the table, with the machine it ran on, into benches/README.md between the markers
# `<!-- compare:begin -->` and `<!-- compare:end -->` (NO_README=1: print only).
#
# Not run by CI: it takes minutes and its figures only mean something on a quiet machine
# (it prints the load average; keep it under ~1.5).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${DATA:-$ROOT/target/compare-data}
SIZE=${SIZE:-1G}
SMALL=${SMALL:-100M}
# GoAccess (~20 MB/s) and lnav get a smaller file; their MB/s is what they reach on it.
PEER_SIZE=${PEER_SIZE:-100M}
# Edge logs (HAProxy, AWS ALB, CloudFront, Cloudflare, Google Cloud LB), one file each.
EDGE_SIZE=${EDGE_SIZE:-256M}
RUNS=${RUNS:-3}
ROTATED=${ROTATED:-20}
# Many small files: $SMALL of nginx error log in ROTATED_MANY daily rotated files (the
# newest plain, the others .gz, as logrotate's `compress` leaves them).
ROTATED_MANY=${ROTATED_MANY:-365}
# A year of hourly rotated files: the same $SMALL in ROTATED_HOURLY pieces (~12 KB each).
ROTATED_HOURLY=${ROTATED_HOURLY:-8760}
OUT=$DATA/results
mkdir -p "$DATA" "$OUT"

say() { printf '\n== %s\n' "$*" >&2; }

# ---- 1. packages ------------------------------------------------------------------------
if [ -z "${NO_INSTALL:-}" ]; then
    need=()
    for p in goaccess lnav ripgrep hyperfine time zstd pigz gzip python3; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    command -v cargo >/dev/null || need+=(cargo)
    if [ ${#need[@]} -gt 0 ]; then
        SUDO=""
        [ "$(id -u)" = 0 ] || SUDO=sudo
        say "installing ${need[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    fi
fi
if ! cargo --version >/dev/null 2>&1; then
    echo "compare.sh: cargo not found; logscan needs Rust 1.85 or later (Debian 13's cargo, or rustup)" >&2
    exit 2
fi

# ---- 2. build -----------------------------------------------------------------------------
say "building logscan and loggen (release profile: fat LTO, takes a few minutes)"
(cd "$ROOT" && cargo build --release --locked -q -p logscan -p logscan-benches --bins)  # loggen, envwrap
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
LOGSCAN=$TARGET_DIR/release/logscan
LOGGEN=$TARGET_DIR/release/loggen
ENVWRAP=$TARGET_DIR/release/envwrap

# ---- 3. inputs ----------------------------------------------------------------------------
gen() { # gen KIND SIZE FILE [loggen args...]
    local kind=$1 size=$2 file=$3
    shift 3
    if [ ! -s "$file" ]; then
        "$LOGGEN" --format "$kind" --size "$size" --seed 1 "$@" >"$file.tmp"
        mv "$file.tmp" "$file"
    fi
}
say "generating inputs in $DATA"
gen nginx-upstream "$SIZE" "$DATA/nginx-access.log"
gen nginx-error "$SIZE" "$DATA/nginx-error.log"
gen apache-access "$SIZE" "$DATA/apache-access.log"
gen apache-error "$SIZE" "$DATA/apache-error.log"
gen ingress "$SIZE" "$DATA/ingress.log"
gen php-fpm "$SIZE" "$DATA/php-fpm.log"
gen nginx-upstream "$SMALL" "$DATA/nginx-access-small.log"
gen nginx-upstream "$PEER_SIZE" "$DATA/nginx-access-peer.log"
gen nginx-error "$PEER_SIZE" "$DATA/nginx-error-peer.log"
gen nginx-upstream "$SIZE" "$DATA/nginx-access-1m.log" --cardinality 1000000
gen nginx-error "$SIZE" "$DATA/nginx-error-1m.log" --cardinality 1000000
# 99% of the requests answered 2xx/3xx, the common case: lines that cannot matter.
gen nginx-upstream "$SIZE" "$DATA/nginx-access-healthy.log" --healthy 99
# The same lines in the envelopes they travel in (Docker json-file, CRI, rsyslog's file).
wrapped() { # wrapped FORM PLAIN WRAPPED
    if [ ! -s "$3" ]; then
        "$ENVWRAP" "$1" <"$2" >"$3.tmp"
        mv "$3.tmp" "$3"
    fi
}
for form in docker cri syslog; do
    wrapped "$form" "$DATA/nginx-access-small.log" "$DATA/nginx-access-small-$form.log"
    wrapped "$form" "$DATA/nginx-error-peer.log" "$DATA/nginx-error-peer-$form.log"
done
[ -s "$DATA/nginx-access.log.gz" ] || pigz -6 -k -c "$DATA/nginx-access.log" >"$DATA/nginx-access.log.gz"
[ -s "$DATA/nginx-access.log.zst" ] || zstd -q -3 -T0 -c "$DATA/nginx-access.log" >"$DATA/nginx-access.log.zst"
for kind in haproxy aws-alb cloudfront cloudflare gcp-lb; do
    gen "$kind" "$EDGE_SIZE" "$DATA/edge-$kind.log"
done
gen aws-alb "$PEER_SIZE" "$DATA/edge-aws-alb-peer.log"
gen cloudfront "$PEER_SIZE" "$DATA/edge-cloudfront-peer.log"
gen nginx-upstream "$EDGE_SIZE" "$DATA/nginx-access-edge.log"
# As S3 delivers ALB logs: gzip.
[ -s "$DATA/edge-aws-alb.log.gz" ] || pigz -6 -k -c "$DATA/edge-aws-alb.log" >"$DATA/edge-aws-alb.log.gz"
ROT=$DATA/rotated
if [ ! -s "$ROT/access.log.$ROTATED.gz" ]; then
    rm -rf "$ROT" && mkdir -p "$ROT"
    bytes=$(numfmt --from=iec "$SIZE")
    for i in $(seq 1 "$ROTATED"); do
        "$LOGGEN" --format nginx-upstream --size $((bytes / ROTATED)) --seed "$i" | pigz -6 >"$ROT/access.log.$i.gz"
    done
fi

gen nginx-error "$SMALL" "$DATA/nginx-error-small.log"
# The same bytes as one .gz: decompression is paid per byte, so this, not the plain file,
# is what the rotated files' per-file overhead is measured against.
[ -s "$DATA/nginx-error-small.log.gz" ] ||
    gzip -6 -n -c "$DATA/nginx-error-small.log" >"$DATA/nginx-error-small.log.gz"
# rotate_into DIR N: $SMALL of error log in N line-aligned pieces, oldest first: piece 0
# becomes error.log.<N-1>.gz, the last one error.log (logrotate's `compress`).
rotate_into() {
    local dir=$1 n=$2 i=0 age piece
    [ -s "$dir/error.log.$((n - 1)).gz" ] && return 0
    rm -rf "$dir" && mkdir -p "$dir"
    split -n "l/$n" -d -a 5 "$DATA/nginx-error-small.log" "$dir/piece-"
    for piece in "$dir"/piece-*; do
        age=$((n - 1 - i))
        if [ "$age" = 0 ]; then
            mv "$piece" "$dir/error.log"
        else
            gzip -6 -n -c "$piece" >"$dir/error.log.$age.gz" && rm "$piece"
        fi
        i=$((i + 1))
    done
}
MANY=$DATA/rotated-many
rotate_into "$MANY" "$ROTATED_MANY"
HOURLY=$DATA/rotated-hourly
# 8,760 files take a minute to write: only when their rows run.
if [[ -z ${ONLY:-} || "$ROTATED_HOURLY hourly files" == *"$ONLY"* ]]; then
    rotate_into "$HOURLY" "$ROTATED_HOURLY"
fi

# ---- 4. timing ----------------------------------------------------------------------------
size_of() { stat -c %s "$1"; }
plain_size() { # bytes after decompression
    case "$1" in
    *.gz) gzip -dc "$1" | wc -c ;;
    *.zst) zstd -dc "$1" | wc -c ;;
    */rotated) for f in "$1"/*.gz; do gzip -dc "$f"; done | wc -c ;;
    */rotated-many | */rotated-hourly) find "$1" -type f -exec gzip -dcf {} + | wc -c ;;
    *) size_of "$1" ;;
    esac
}
warm() { # keep the inputs in the page cache
    find "$@" -type f -exec cat {} + >/dev/null
}

ROWS=$OUT/rows.tsv
: >"$ROWS"
# row WORKLOAD TOOL INPUT COMMAND [SIZE_FROM]: times COMMAND with hyperfine, measures its
# peak RSS. INPUT may name several files, separated by spaces (their sizes add up). With
# SIZE_FROM, MB/s counts that file's bytes instead (the plain lines of a wrapped input, so
# that plain and wrapped rows compare the throughput of the same lines).
row() {
    local workload=$1 tool=$2 input=$3 cmd=$4 size_from=${5:-$3}
    local id inputs sized
    if [[ -n ${ONLY:-} && $workload != *"$ONLY"* ]]; then
        return 0
    fi
    id=$(echo "$workload-$tool" | tr -c 'a-zA-Z0-9\n-' '_')
    read -r -a inputs <<<"$input"
    warm "${inputs[@]}"
    hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$OUT/$id.json" \
        --shell bash "$cmd" >&2
    /usr/bin/time -v -o "$OUT/$id.rss" bash -c "$cmd" >/dev/null 2>&1 || true
    local mean rss cpu bytes
    mean=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$OUT/$id.json")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$id.rss")
    cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$OUT/$id.rss")
    bytes=0
    read -r -a sized <<<"$size_from"
    for f in "${sized[@]}"; do
        bytes=$((bytes + $(plain_size "$f")))
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$tool" "$bytes" "$mean" "$rss" "$cpu" "$cmd" >>"$ROWS"
}

L=$LOGSCAN
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
say "load before timing: $LOAD_BEFORE"
A=$DATA/nginx-access.log
E=$DATA/nginx-error.log
row "nginx access + upstream fields" logscan "$A" "$L --output json $A >/dev/null"
row "nginx access + upstream fields" "logscan --threads 1" "$A" "$L --threads 1 --output json $A >/dev/null"
row "nginx access + upstream fields" "rg -c ' 50[234] '" "$A" "rg -c ' 50[234] ' $A >/dev/null"
row "nginx access + upstream fields" "wc -l" "$A" "wc -l $A >/dev/null"
row "nginx access, $PEER_SIZE" logscan "$DATA/nginx-access-peer.log" "$L --output json $DATA/nginx-access-peer.log >/dev/null"
row "nginx access, $PEER_SIZE" goaccess "$DATA/nginx-access-peer.log" \
    "goaccess $DATA/nginx-access-peer.log --log-format=COMBINED --no-progress -o $OUT/goaccess.json"
row "nginx access, $PEER_SIZE" "lnav (GROUP BY status)" "$DATA/nginx-access-peer.log" \
    "lnav -n -c ';SELECT sc_status, count(*) FROM access_log GROUP BY sc_status' $DATA/nginx-access-peer.log >/dev/null"
row "nginx access, $SMALL (RSS flatness)" logscan "$DATA/nginx-access-small.log" "$L --output json $DATA/nginx-access-small.log >/dev/null"
row "nginx access, 1M distinct URLs+clients" logscan "$DATA/nginx-access-1m.log" "$L --output json $DATA/nginx-access-1m.log >/dev/null"
row "nginx access, mostly healthy" logscan "$DATA/nginx-access-healthy.log" "$L --output json $DATA/nginx-access-healthy.log >/dev/null"
row "nginx access, mostly healthy" "logscan --threads 1" "$DATA/nginx-access-healthy.log" "$L --threads 1 --output json $DATA/nginx-access-healthy.log >/dev/null"
row "nginx error" logscan "$E" "$L --output json $E >/dev/null"
row "nginx error" "logscan --threads 1" "$E" "$L --threads 1 --output json $E >/dev/null"
row "nginx error" "rg -c 'upstream'" "$E" "rg -c 'upstream' $E >/dev/null"
row "nginx error, 1M distinct URLs+clients" logscan "$DATA/nginx-error-1m.log" "$L --output json $DATA/nginx-error-1m.log >/dev/null"
row "nginx error, $PEER_SIZE" logscan "$DATA/nginx-error-peer.log" "$L --output json $DATA/nginx-error-peer.log >/dev/null"
row "nginx error, $PEER_SIZE" "lnav (GROUP BY level)" "$DATA/nginx-error-peer.log" \
    "lnav -n -c ';SELECT log_level, count(*) FROM all_logs GROUP BY log_level' $DATA/nginx-error-peer.log >/dev/null"
row "Apache access + %D" logscan "$DATA/apache-access.log" "$L --output json $DATA/apache-access.log >/dev/null"
row "Apache access + %D" "logscan --threads 1" "$DATA/apache-access.log" "$L --threads 1 --output json $DATA/apache-access.log >/dev/null"
row "Apache error" logscan "$DATA/apache-error.log" "$L --output json $DATA/apache-error.log >/dev/null"
row "Apache error" "logscan --threads 1" "$DATA/apache-error.log" "$L --threads 1 --output json $DATA/apache-error.log >/dev/null"
row "ingress-nginx access" logscan "$DATA/ingress.log" "$L --output json $DATA/ingress.log >/dev/null"
row "ingress-nginx access" "logscan --threads 1" "$DATA/ingress.log" "$L --threads 1 --output json $DATA/ingress.log >/dev/null"
row "PHP-FPM" logscan "$DATA/php-fpm.log" "$L --output json $DATA/php-fpm.log >/dev/null"
row "PHP-FPM" "logscan --threads 1" "$DATA/php-fpm.log" "$L --threads 1 --output json $DATA/php-fpm.log >/dev/null"
# Envelopes: one thread each (an enveloped input is read whole, a large plain file in
# parallel chunks), MB/s of the plain lines, so wrapped/plain is what unwrapping costs.
for log in nginx-access-small nginx-error-peer; do
    P=$DATA/$log.log
    row "envelope: $log" "logscan --threads 1, plain" "$P" "$L --threads 1 --output json $P >/dev/null"
    for form in docker cri syslog; do
        W=$DATA/$log-$form.log
        row "envelope: $log" "logscan --threads 1, $form" "$W" "$L --threads 1 --output json $W >/dev/null" "$P"
    done
done
row "nginx access .gz (one file)" logscan "$A.gz" "$L --output json $A.gz >/dev/null"
row "nginx access .gz (one file)" zcat "$A.gz" "zcat $A.gz >/dev/null"
row "nginx access .zst" logscan "$A.zst" "$L --output json $A.zst >/dev/null"
row "nginx access .zst" "zstd -dc" "$A.zst" "zstd -dc $A.zst >/dev/null"
# One core parsing, the decompressor on a thread of its own: what a GB of each costs.
row "nginx access .gz (one file)" "logscan --threads 1" "$A.gz" "$L --threads 1 --output json $A.gz >/dev/null"
row "nginx access .zst" "logscan --threads 1" "$A.zst" "$L --threads 1 --output json $A.zst >/dev/null"
row "$ROTATED rotated .gz files" logscan "$ROT" "$L --output json $ROT >/dev/null"
row "$ROTATED rotated .gz files" "zcat (serial)" "$ROT" "zcat $ROT/*.gz >/dev/null"
# What a file costs: the same bytes of error log in one file, in one .gz (the
# decompression the rotated .gz files pay too, without their per-file costs), in
# ROTATED_MANY daily files and in ROTATED_HOURLY hourly ones (the newest plain, the
# others .gz): (many files - one .gz) / files is the overhead of a file.
for threads in "" "--threads 1 "; do
    for rotation in "$ROTATED_MANY rotated files:$MANY" "$ROTATED_HOURLY hourly files:$HOURLY"; do
        workload=${rotation%%:*}
        dir=${rotation#*:}
        row "$workload" "logscan ${threads}(${workload%% *} files)" "$dir" \
            "$L ${threads}--output json $dir >/dev/null"
        row "$workload" "logscan ${threads}(one file)" "$DATA/nginx-error-small.log" \
            "$L ${threads}--output json $DATA/nginx-error-small.log >/dev/null"
        row "$workload" "logscan ${threads}(one .gz)" "$DATA/nginx-error-small.log.gz" \
            "$L ${threads}--output json $DATA/nginx-error-small.log.gz >/dev/null"
    done
done
# The layer in front: each product's log alone, the ALB's as S3 delivers it, HAProxy's
# with an nginx access log of the same size (every edge failure looked up in the origin's
# lines), and GoAccess on the two formats it has built in (traffic only, no causes).
for kind in haproxy aws-alb cloudfront cloudflare gcp-lb; do
    row "edge: $kind, $EDGE_SIZE" logscan "$DATA/edge-$kind.log" "$L --output json $DATA/edge-$kind.log >/dev/null"
done
row "edge: aws-alb, $EDGE_SIZE" "rg -c ' 50[234] '" "$DATA/edge-aws-alb.log" "rg -c ' 50[234] ' $DATA/edge-aws-alb.log >/dev/null"
row "edge: aws-alb .gz" logscan "$DATA/edge-aws-alb.log.gz" "$L --output json $DATA/edge-aws-alb.log.gz >/dev/null"
row "edge: haproxy + nginx access (join)" logscan "$DATA/edge-haproxy.log $DATA/nginx-access-edge.log" \
    "$L --output json $DATA/edge-haproxy.log $DATA/nginx-access-edge.log >/dev/null"
row "edge: aws-alb, $PEER_SIZE" logscan "$DATA/edge-aws-alb-peer.log" "$L --output json $DATA/edge-aws-alb-peer.log >/dev/null"
row "edge: aws-alb, $PEER_SIZE" "goaccess (AWSALB)" "$DATA/edge-aws-alb-peer.log" \
    "goaccess $DATA/edge-aws-alb-peer.log --log-format=AWSALB --date-format=%Y-%m-%d --time-format=%T --no-progress -o $OUT/goaccess-alb.json"
row "edge: cloudfront, $PEER_SIZE" logscan "$DATA/edge-cloudfront-peer.log" "$L --output json $DATA/edge-cloudfront-peer.log >/dev/null"
row "edge: cloudfront, $PEER_SIZE" "goaccess (CLOUDFRONT)" "$DATA/edge-cloudfront-peer.log" \
    "goaccess $DATA/edge-cloudfront-peer.log --log-format=CLOUDFRONT --date-format=%Y-%m-%d --time-format=%T --no-progress -o $OUT/goaccess-cf.json"
say "load after timing: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 5. table -----------------------------------------------------------------------------
MACHINE=$(
    cpu=$(lscpu | awk -F': *' '/^Model name/ {print $2; exit}')
    mem=$(free -g | awk '/^Mem:/ {print $2}')
    echo "$cpu, $(nproc) cores, ${mem} GiB RAM, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"
)
TABLE=$OUT/table.md
python3 - "$ROWS" "$MACHINE" "$RUNS" "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$TABLE" <<'PY'
import sys
rows, machine, runs, before, load = sys.argv[1:6]
print(f"Machine: {machine}. Files in the page cache; mean of {runs} hyperfine runs after one")
print(f"warm-up; peak RSS from `/usr/bin/time -v`. Load average (1, 5, 15 min) before the runs:")
print(f"{before}; after: {load}.")
print()
print("CPU is user + system seconds of one extra run (all threads), and MB per CPU-second what")
print("one core gets through: less disturbed by other load than the wall-clock figures.")
print()
print("| workload | tool | input (uncompressed) | wall time | throughput | CPU | MB per CPU-s | peak RSS |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for line in open(rows):
    workload, tool, size, mean, rss, cpu, cmd = line.rstrip("\n").split("\t")
    size, mean, cpu = int(size), float(mean), float(cpu or 0)
    mbs = size / mean / 1e6
    per_cpu = f"{size / cpu / 1e6:,.0f}" if cpu > 0 else "?"
    rss = f"{int(rss) / 1024:.1f} MB" if rss else "?"
    print(f"| {workload} | `{tool}` | {size / 1e6:,.0f} MB | {mean:.2f} s | {mbs:,.0f} MB/s | {cpu:.2f} s | {per_cpu} | {rss} |")
PY
cat "$TABLE"

if [ -z "${NO_README:-}" ]; then
    python3 - "$ROOT/benches/README.md" "$TABLE" <<'PY'
import sys
readme, table = sys.argv[1], open(sys.argv[2]).read()
text = open(readme).read()
begin, end = "<!-- compare:begin -->", "<!-- compare:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(readme, "w").write(f"{head}{begin}\n{table}{end}{tail}")
PY
    say "table written to benches/README.md"
fi
