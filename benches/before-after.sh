#!/usr/bin/env bash
# Before/after on one machine: two logscan binaries on the inputs benches/compare.sh
# generates (its data directory), each timed by hyperfine at two threads and by one
# `/usr/bin/time -v` run at two and at one thread, their JSON reports compared with cmp.
#
#   benches/before-after.sh BEFORE_BIN AFTER_BIN [DATA_DIR] [OUT_DIR]
#
# DATA_DIR defaults to compare.sh's (target/compare-data, its DATA); OUT_DIR (default
# target/before-after) gets the reports, the time outputs and results.tsv. Run it on a quiet
# machine and keep the two load averages it prints.
set -euo pipefail
before=${1:?usage: before-after.sh BEFORE_BIN AFTER_BIN [DATA_DIR] [OUT_DIR]}
after=${2:?usage: before-after.sh BEFORE_BIN AFTER_BIN [DATA_DIR] [OUT_DIR]}
data=${3:-target/compare-data}
out=${4:-target/before-after}
mkdir -p "$out"
for tool in hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "before-after.sh: $tool is needed" >&2; exit 2; }
done
inputs=(nginx-access.log nginx-access-healthy.log nginx-error.log apache-access.log
  apache-error.log ingress.log php-fpm.log nginx-access.log.zst nginx-access.log.gz
  rotated rotated-many rotated-hourly)
echo "load: $(cat /proc/loadavg)"
printf 'input\tversion\tmean_s_2t\tcpu_s_2t\trss_mb_2t\twall_1t\tcpu_1t\trss_mb_1t\n' > "$out/results.tsv"
for input in "${inputs[@]}"; do
  [[ -e $data/$input ]] || { echo "skipped $input (not in $data)"; continue; }
  for version in before after; do
    bin=$before; [[ $version == after ]] && bin=$after
    hyperfine -N --warmup 1 --runs 3 --export-json "$out/$input.$version.json" \
      "$bin --threads 2 --output json $data/$input" >/dev/null 2>&1
    mean=$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['results'][0]['mean'], 3))" "$out/$input.$version.json")
    row=()
    for threads in 2 1; do
      time_out=$out/time.$input.$version.$threads
      /usr/bin/time -v -o "$time_out" "$bin" --threads "$threads" --output json "$data/$input" \
        > "$out/report.$input.$version.$threads.json" 2>/dev/null || true
      row+=("$(awk '/Elapsed/ {print $NF}' "$time_out")")
      row+=("$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$time_out")")
      row+=("$(awk -F': ' '/Maximum resident/ {printf "%.1f", $2/1024}' "$time_out")")
    done
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$input" "$version" "$mean" "${row[1]}" "${row[2]}" \
      "${row[3]}" "${row[4]}" "${row[5]}" >> "$out/results.tsv"
  done
  for threads in 1 2; do
    if cmp -s "$out/report.$input.before.$threads.json" "$out/report.$input.after.$threads.json"; then
      echo "same $input, $threads thread(s)"
    else
      echo "DIFF $input, $threads thread(s)"
    fi
  done
done
echo "load: $(cat /proc/loadavg)"
column -t "$out/results.tsv"
