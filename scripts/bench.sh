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
  echo "| Open cases | Night | Cases visited | Decisions | Wall time (s) | Cases/s | Peak RSS (MB) |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
} | tee "$results"

for size in $sizes; do
  dir=$work/$size
  if [ ! -f "$dir/pristine.sqlite" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && "$bin" init >/dev/null && "$bin" generate --cases "$size" --seed 7 --force >&2 \
      && mv litige.sqlite pristine.sqlite)
  fi
  rm -f "$dir"/litige.sqlite*
  cp "$dir/pristine.sqlite" "$dir/litige.sqlite"
  # First night: the backlog of a fresh workspace (most cases get a decision). Second night: the
  # steady state, one day later (few cases change).
  for night in "first 2026-03-01" "second 2026-03-02"; do
    set -- $night
    out=$(cd "$dir" && /usr/bin/time -f "TIME %e %M" "$bin" batch --jobs "$jobs" --as-of "$2" \
      --report "$work/night-$size-$1.json" 2>&1) || true
    cases=$(echo "$out" | sed -n 's/.*: \([0-9]*\) cases, .*/\1/p' | head -n 1)
    decisions=$(echo "$out" | sed -n 's/.* cases, \([0-9]*\) decisions.*/\1/p' | head -n 1)
    wall=$(echo "$out" | awk '/^TIME/ { print $2 }')
    rss=$(echo "$out" | awk '/^TIME/ { printf "%.0f", $3 / 1024 }')
    rate=$(awk -v c="$cases" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0 ? c / s : 0) }')
    echo "| $size | $1 | $cases | $decisions | $(seconds "$wall") | $rate | $rss |" | tee -a "$results"
  done
done

# One hook call: the probe plugin's hook through Litige on a real case, and the same function on a
# plain table in stock lua5.4, in this same run.
probe=$work/probe
rm -rf "$probe" && cp -r bench/probe "$probe"
(cd "$probe" && "$bin" init >/dev/null 2>&1 || true)
(cd "$probe" && "$bin" generate --cases 100 --seed 7 --force >/dev/null)
litige_line=$(cd "$probe" && "$bin" plugins time nightly --case 5 --iterations 200000 --as-of 2026-03-01)
stock_line=$(lua5.4 bench/stock_hook.lua 2000000)
litige_us=$(echo "$litige_line" | sed -n 's/.*: \([0-9.]*\) µs per call.*/\1/p')
stock_us=$(echo "$stock_line" | sed -n 's/.*: \([0-9.]*\) µs per call.*/\1/p')
{
  echo
  echo "| One hook call (bench/probe) | µs per call |"
  echo "|---|---:|"
  echo "| Litige, case object, as the nightly runner calls it | $litige_us |"
  echo "| Stock lua5.4, plain table | $stock_us |"
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
