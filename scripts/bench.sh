#!/usr/bin/env bash
# make bench: the nightly runner's throughput and memory at 100k and 1M open cases, the cost of one
# hook call against stock lua5.4, importing 1M invoice rows, and the REPL's start-up time. Prints a Markdown table for
# BENCHMARKS.md and keeps it in .build-bench/results.md.
#
#   BENCH_SIZES="100000 1000000"  case counts (workspaces are generated once and kept in .build-bench)
#   BENCH_JOBS=2                  --jobs of litige batch
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${BENCH_SIZES:-"100000 1000000"}
jobs=${BENCH_JOBS:-2}
bin=$PWD/.build/release/litige
work=$PWD/.build-bench
results=$work/results.md
mkdir -p "$work"

swift build -c release >/dev/null

seconds() { awk -v n="$1" 'BEGIN { printf "%.2f", n }'; }

{
  echo "Machine: $(nproc) cores, $(awk '/model name/ { $1=$2=$3=""; print; exit }' /proc/cpuinfo | xargs)," \
    "$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo);" \
    "$(swift --version 2>/dev/null | head -n 1 | sed 's/ (.*//'); $(lua5.4 -v 2>&1 | cut -d' ' -f1-2);" \
    "SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?')."
  echo "Date: $(date -u +%Y-%m-%d). Command: make bench (BENCH_SIZES=\"$sizes\" BENCH_JOBS=$jobs)."
  echo
  echo "| Open cases | Night | Cases visited | Asleep | Decisions | Wall time (s) | Open cases/s | Peak RSS (MB) |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|"
} | tee "$results"

# The workspaces are generated as of a fixed instant (LITIGE_NOW), so that the nights below fall after
# every case was opened, whatever the day the bench runs.
generated_at=2026-02-28T12:00:00Z
nights="2026-03-02 2026-03-03 2026-03-04 2026-03-05 2026-03-06"

# One night: prints its table row; $1 size, $2 label, $3 date, $4 workspace folder, then extra options.
night() {
  local size=$1 label=$2 day=$3 dir=$4
  shift 4
  local out cases asleep decisions wall rss rate open
  out=$(cd "$dir" && /usr/bin/time -f "TIME %e %M" "$bin" batch --jobs "$jobs" --as-of "$day" "$@" \
    --report "$work/night-$size-$label.json" 2>&1) || true
  cases=$(echo "$out" | sed -n 's/.*: \([0-9]*\) cases, .*/\1/p' | head -n 1)
  asleep=$(echo "$out" | sed -n 's/^ *\([0-9]*\) open cases* with nothing due.*/\1/p' | head -n 1)
  asleep=${asleep:-0}
  decisions=$(echo "$out" | sed -n 's/.* cases, \([0-9]*\) decisions.*/\1/p' | head -n 1)
  wall=$(echo "$out" | awk '/^TIME/ { print $2 }')
  rss=$(echo "$out" | awk '/^TIME/ { printf "%.0f", $3 / 1024 }')
  open=$((cases + asleep))
  rate=$(awk -v c="$open" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0 ? c / s : 0) }')
  echo "| $size | $label ($day) | $cases | $asleep | $decisions | $(seconds "$wall") | $rate | $rss |" | tee -a "$results"
}

for size in $sizes; do
  dir=$work/$size
  if [ ! -f "$dir/pristine.sqlite" ] || [ "$(cat "$dir/generated_at" 2>/dev/null)" != "$generated_at" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    start=$(date +%s.%N)
    (cd "$dir" && "$bin" init >/dev/null && LITIGE_NOW=$generated_at "$bin" generate --cases "$size" --seed 7 --force >&2 \
      && mv litige.sqlite pristine.sqlite)
    echo "$generated_at" > "$dir/generated_at"
    echo "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" > "$dir/generate_seconds"
  fi
  echo "litige generate --cases $size: $(cat "$dir/generate_seconds") s (when the workspace was made)" | tee -a "$results"
  rm -f "$dir"/litige.sqlite*
  cp "$dir/pristine.sqlite" "$dir/litige.sqlite"
  # Five nights in a row: the first is a fresh workspace's backlog (every case visited); the next ones
  # visit only what the wake-up index says is due.
  n=1
  for day in $nights; do
    night "$size" "night $n" "$day" "$dir"
    n=$((n + 1))
  done
  # The same last night again, visiting every case (--full), on a copy: what the index saves.
  cp "$dir/litige.sqlite" "$dir/full.sqlite"
  (cd "$dir" && mv litige.sqlite indexed.sqlite && mv full.sqlite litige.sqlite)
  night "$size" "night 6 --full" 2026-03-07 "$dir" --full
  (cd "$dir" && rm -f litige.sqlite* && mv indexed.sqlite litige.sqlite)
  night "$size" "night 6" 2026-03-07 "$dir"
done

# The stock-Lua baseline (bench/baseline): the same plugins over the same cases preloaded as plain
# tables, first night, one process; Litige's first night as a ratio of it (same workspace, same day).
base_size=${BENCH_BASELINE_SIZE:-100000}
if [ -f "$work/$base_size/pristine.sqlite" ]; then
  export_dir=$work/baseline-$base_size
  if [ ! -f "$export_dir/meta.lua" ]; then
    python3 bench/baseline/export_cases.py "$work/$base_size/pristine.sqlite" 2026-03-02 "$export_dir" \
      --toml "$work/$base_size/litige.toml" >&2
  fi
  baseline_line=$(lua5.4 bench/baseline/run.lua "$export_dir" --plugins plugins)
  baseline_rate=$(echo "$baseline_line" | sed -n 's/.* \([0-9.]*\) cases\/s.*/\1/p')
  rm -f "$work/$base_size"/litige.sqlite* && cp "$work/$base_size/pristine.sqlite" "$work/$base_size/litige.sqlite"
  one=$(cd "$work/$base_size" && "$bin" batch --jobs 1 --as-of 2026-03-02 2>&1 | sed -n 's/.* \([0-9]*\) cases\/s.*/\1/p')
  rm -f "$work/$base_size"/litige.sqlite* && cp "$work/$base_size/pristine.sqlite" "$work/$base_size/litige.sqlite"
  two=$(cd "$work/$base_size" && "$bin" batch --jobs 2 --as-of 2026-03-02 2>&1 | sed -n 's/.* \([0-9]*\) cases\/s.*/\1/p')
  # The same night with the workers as threads of one process (--in-process): what the supervised
  # worker processes (their start, their plugins loaded again, the chunks' hand-off) cost.
  rm -f "$work/$base_size"/litige.sqlite* && cp "$work/$base_size/pristine.sqlite" "$work/$base_size/litige.sqlite"
  threads=$(cd "$work/$base_size" && "$bin" batch --jobs 2 --in-process --as-of 2026-03-02 2>&1 \
    | sed -n 's/.* \([0-9]*\) cases\/s.*/\1/p')
  {
    echo
    echo "| First night, $base_size cases (2026-03-02) | Cases/s | Litige / baseline |"
    echo "|---|---:|---:|"
    echo "| Stock lua5.4 baseline (bench/baseline, one process, hook calls only) | $baseline_rate | 1 |"
    echo "| Litige --jobs 1 (whole command) | $one | $(awk -v a="$one" -v b="$baseline_rate" 'BEGIN { printf "%.2f", a / b }') |"
    echo "| Litige --jobs 2 (whole command) | $two | $(awk -v a="$two" -v b="$baseline_rate" 'BEGIN { printf "%.2f", a / b }') |"
    echo "| Litige --jobs 2 --in-process (threads, no supervisor) | $threads | $(awk -v a="$threads" -v b="$baseline_rate" 'BEGIN { printf "%.2f", a / b }') |"
    echo
    echo "Supervised worker processes against threads (--jobs 2): $(awk -v a="$two" -v b="$threads" 'BEGIN { printf "%.2f", a / b }') of the throughput."
  } | tee -a "$results"
fi

# 90 nights with and without the wake-up index on the same company (scripts/replay.sh, also
# `make test-replay`): the journals must be identical, or the bench stops here.
replay_line=$(REPLAY_BIN=$bin REPLAY_JOBS=$jobs scripts/replay.sh "${BENCH_REPLAY_CASES:-20000}" \
  "${BENCH_REPLAY_NIGHTS:-90}")
{ echo; echo "$replay_line"; } | tee -a "$results"

# One hook call: the probe plugin's hook through Litige on a real case, and the same function on a
# plain table in stock lua5.4, in this same run.
probe=$work/probe
rm -rf "$probe" && cp -r bench/probe "$probe"
(cd "$probe" && "$bin" init >/dev/null 2>&1 || true)
(cd "$probe" && LITIGE_NOW=$generated_at "$bin" generate --cases 100 --seed 7 --force >/dev/null)
litige_line=$(cd "$probe" && "$bin" plugins time nightly --case 5 --iterations 200000 --as-of 2026-03-02)
stock_line=$(lua5.4 bench/stock_hook.lua 2000000)
litige_us=$(echo "$litige_line" | sed -n 's/.*: \([0-9.]*\) µs per call.*/\1/p')
stock_us=$(echo "$stock_line" | sed -n 's/.*: \([0-9.]*\) µs per call.*/\1/p')
first_us=$(echo "$litige_line" | sed -n 's/.*; \([0-9.]*\) µs for a case.*/\1/p')
# What stock lua5.4 itself takes through a read-only proxy and a fresh ctx per call (the design's
# own floor, whatever the host).
floor_us=$(lua5.4 bench/proxy_floor.lua 2000000 metactx | sed -n 's/.*: \([0-9.]*\) µs per call.*/\1/p')
{
  echo
  echo "| One hook call (bench/probe) | µs per call |"
  echo "|---|---:|"
  echo "| Litige, a hook call on a case whose view is built (the night's hooks share it) | $litige_us |"
  echo "| Litige, a case's first hook call (its view built) | $first_us |"
  echo "| Stock lua5.4, plain table | $stock_us |"
  echo "| Stock lua5.4 through a read-only proxy and a fresh ctx per call (bench/proxy_floor.lua) | $floor_us |"
  echo "| Ratio | $(awk -v a="$litige_us" -v b="$stock_us" 'BEGIN { printf "%.1fx", a / b }') |"
} | tee -a "$results"

# Import: N invoice rows (French Excel's CSV) into a fresh workspace, in one transaction; the target
# is 1M rows in under 30 s (issue 12). The customers are imported first, timed apart.
rows=${BENCH_IMPORT_ROWS:-1000000}
import=$work/import
if [ ! -f "$import/invoices.csv" ] || [ "$(($(wc -l < "$import/invoices.csv") - 1))" != "$rows" ]; then
  python3 bench/import_files.py "$rows" "$import"
fi
rm -f "$import"/litige.sqlite* "$import/litige.toml"
(cd "$import" && "$bin" init >/dev/null)
customers_out=$(cd "$import" && /usr/bin/time -f "TIME %e %M" "$bin" import customers customers.csv --by bench 2>&1)
invoices_out=$(cd "$import" && /usr/bin/time -f "TIME %e %M" "$bin" import invoices invoices.csv --by bench 2>&1)
again_out=$(cd "$import" && /usr/bin/time -f "TIME %e %M" "$bin" import invoices invoices.csv --by bench 2>&1)
{
  echo
  echo "| Import (bench/import_files.py) | Rows | Wall time (s) | Rows/s | Peak RSS (MB) |"
  echo "|---|---:|---:|---:|---:|"
  for pair in "customers:$customers_out:$((rows / 3))" "invoices:$invoices_out:$rows" "invoices again (unchanged):$again_out:$rows"; do
    name=${pair%%:*}; rest=${pair#*:}; n=${rest##*:}; out=${rest%:*}
    wall=$(echo "$out" | awk '/^TIME/ { print $2 }')
    rss=$(echo "$out" | awk '/^TIME/ { printf "%.0f", $3 / 1024 }')
    echo "| $name | $n | $(seconds "$wall") | $(awk -v c="$n" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0 ? c / s : 0) }') | $rss |"
  done
} | tee -a "$results"

# The REPL's start-up on the demo workspace: on a pseudo-terminal, to the first prompt ready for typing.
demo=$work/demo
rm -rf "$demo" && mkdir -p "$demo"
(cd "$demo" && "$bin" init --demo >/dev/null)
startup=$(python3 bench/repl_startup.py "$bin" "$demo/litige.sqlite" 20)
{ echo; echo "REPL start-up to a prompt ready for typing (demo workspace, pseudo-terminal): $startup"; } \
  | tee -a "$results"
echo
echo "Kept in $results"
