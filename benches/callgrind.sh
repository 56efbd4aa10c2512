#!/usr/bin/env bash
# Instruction counts of one logscan binary on the first 20 MiB of compare.sh's generated
# logs, the measure of issue 19's passes (callgrind counts instructions, so the figures
# repeat whatever else the machine is doing):
#
#   benches/callgrind.sh BIN OUT_DIR [BASE_DIR] [NAME...]
#
# For each NAME (default: all eleven below) it runs
# `valgrind --tool=callgrind BIN --threads 1 --output json NAME-20m.log` from the inputs'
# directory (so the reports name the same files), writes OUT_DIR/cg-NAME.out,
# OUT_DIR/rep-NAME-t1.json and a native two-thread report OUT_DIR/rep-NAME-t2.json, and
# prints the count, instructions a byte and, with BASE_DIR (an earlier OUT_DIR), the change
# and whether both reports are byte-identical to the base's. `callgrind_annotate
# --inclusive=yes OUT_DIR/cg-NAME.out` shows where the instructions go.
#
# The inputs are cut from compare.sh's data directory (DATA, default target/compare-data;
# run compare.sh first, e.g. `ONLY=none NO_README=1 benches/compare.sh`, to make it) into
# $DATA/20m/ when missing: the first 20 MiB of each 1 GB log, ended at a line end, and
# `ne-mid`, the 20 MiB of the nginx error gigabyte (1 MiB steps) with the most lines that
# do not start with a date: an incident's PHP stack traces.
set -euo pipefail
bin=$(readlink -f "${1:?usage: callgrind.sh BIN OUT_DIR [BASE_DIR] [NAME...]}")
out=${2:?usage: callgrind.sh BIN OUT_DIR [BASE_DIR] [NAME...]}
base=${3:-}
shift 2
[[ $# -gt 0 ]] && shift
mkdir -p "$out"
out=$(readlink -f "$out")
[[ -n $base ]] && base=$(readlink -f "$base")
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${DATA:-$ROOT/target/compare-data}
IN=$DATA/20m
names=("$@")
[[ ${#names[@]} -eq 0 ]] && names=(nginx-access nginx-access-healthy nginx-access-1m ingress
  apache-access nginx-error nginx-error-1m ne-mid apache-error php-fpm docker)
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is needed" >&2; exit 2; }

# The 1 GB log each input is the head of.
source_of() {
  case $1 in
    docker) echo nginx-access-small-docker.log ;;
    *) echo "$1.log" ;;
  esac
}
mkdir -p "$IN"
for name in "${names[@]}"; do
  [[ -s $IN/$name-20m.log ]] && continue
  if [[ $name == ne-mid ]]; then
    python3 - "$DATA/nginx-error.log" "$IN/ne-mid-20m.log" <<'PY'
import sys
MIB = 1 << 20
counts = []
with open(sys.argv[1], 'rb') as log:
    while block := log.read(MIB):
        counts.append(sum(1 for line in block.split(b'\n')[1:] if line and not line[:1].isdigit()))
    best = max(range(max(1, len(counts) - 20)), key=lambda i: sum(counts[i:i + 20]))
    log.seek(best * MIB)
    data = log.read(20 * MIB + 65536)
start = data.index(b'\n') + 1
while not data[start:start + 1].isdigit():  # an entry's first line
    start = data.index(b'\n', start) + 1
end = data.rindex(b'\n', 0, start + 20 * MIB) + 1
open(sys.argv[2], 'wb').write(data[start:end])
PY
  else
    python3 - "$DATA/$(source_of "$name")" "$IN/$name-20m.log" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read(20 * 1024 * 1024)
open(sys.argv[2], 'wb').write(data[:data.rindex(b'\n') + 1])
PY
  fi
done

cd "$IN"
for name in "${names[@]}"; do
  log=$name-20m.log
  valgrind --tool=callgrind --callgrind-out-file="$out/cg-$name.out" \
    "$bin" --threads 1 --output json "$log" >"$out/rep-$name-t1.json" 2>"$out/cg-$name.err"
  "$bin" --threads 2 --output json "$log" >"$out/rep-$name-t2.json" 2>/dev/null || true
  count=$(awk '/^summary:/ {print $2; exit}' "$out/cg-$name.out")
  line=$(awk -v n="$name" -v c="$count" -v b="$(stat -c %s "$log")" \
    'BEGIN {printf "%-22s %10.2f M %6.2f a byte", n, c / 1e6, c / b}')
  if [[ -n $base && -e $base/cg-$name.out ]]; then
    before=$(awk '/^summary:/ {print $2; exit}' "$base/cg-$name.out")
    same=()
    for t in t1 t2; do
      if cmp -s "$out/rep-$name-$t.json" "$base/rep-$name-$t.json"; then same+=(same); else same+=(DIFFERENT); fi
    done
    line+=$(awk -v c="$count" -v b="$before" 'BEGIN {printf "  base %10.2f M  %+6.2f %%", b / 1e6, (c - b) / b * 100}')
    line+="  reports: 1 thread ${same[0]}, 2 threads ${same[1]}"
  fi
  echo "$line" | tee -a "$out/counts.txt"
done
