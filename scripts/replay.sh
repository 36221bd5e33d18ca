#!/usr/bin/env bash
# make test-replay (and make bench): the wake-up index's replay (issue 14). One generated company
# (seed 11), copied twice; NIGHTS nights in a row on each, one visiting only the cases due
# (`litige batch`), the other every open case (`litige batch --full`). The two journals must be the
# same, event for event: a night that skips a case must decide exactly what visiting it would have.
# Prints one line with both wall times; exits 1 when the journals differ (keeping both, and the
# first difference, in the work folder), 2 when a night fails or did not run as asked (a night not
# recorded as completed, a night without the index that did not visit every case), 64 for arguments
# that are not whole numbers.
#
#   scripts/replay.sh [CASES] [NIGHTS]      20,000 cases and 90 nights by default
#   REPLAY_JOBS=2                           --jobs of litige batch
#   REPLAY_BIN=path                         the litige to run (default: the release build, built here)
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${1:-20000}
nights=${2:-90}
jobs=${REPLAY_JOBS:-2}
# Checked before anything is removed: the work folder is named after CASES.
[[ "$cases" =~ ^[1-9][0-9]{0,7}$ ]] || { echo "replay: CASES must be a whole number from 1 to 99,999,999, not '$cases'" >&2; exit 64; }
[[ "$nights" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "replay: NIGHTS must be a whole number from 1 to 9,999, not '$nights'" >&2; exit 64; }
[[ "$jobs" =~ ^[1-9][0-9]?$ ]] || { echo "replay: REPLAY_JOBS must be a whole number from 1 to 99, not '$jobs'" >&2; exit 64; }
if [ -z "${REPLAY_BIN:-}" ]; then
  swift build -c release --product litige >/dev/null
  bin=$PWD/.build/release/litige
else
  bin=$REPLAY_BIN
fi
work=$PWD/.build-bench/replay-$cases
# Generated as of a fixed instant, so that every night falls after every case was opened.
generated_at=2026-02-28T12:00:00Z

rm -rf "$work" && mkdir -p "$work/indexed" "$work/full"
(cd "$work/indexed" && "$bin" init >/dev/null \
  && LITIGE_NOW=$generated_at "$bin" generate --cases "$cases" --seed 11 --force >/dev/null) || {
  echo "replay: generating $cases cases in $work/indexed failed (exit status $?)" >&2
  exit 2
}
cp "$work/indexed/litige.sqlite" "$work/indexed/litige.toml" "$work/full/"
for side in indexed full; do
  extra=()
  [ "$side" = full ] && extra=(--full)
  start=$(date +%s.%N)
  for i in $(seq 0 $((nights - 1))); do
    day=$(date -u -d "2026-03-02 + $i days" +%Y-%m-%d)
    (cd "$work/$side" && "$bin" batch --jobs "$jobs" --as-of "$day" "${extra[@]}" >night.log 2>&1) || {
      echo "replay: the $side night of $day failed (exit status $?); its output is in $work/$side/night.log" >&2
      exit 2
    }
  done
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }' >"$work/$side.seconds"
  # Every night ran, finished, on its own day, visiting every open case on the side without the index
  # and only the due ones on the other (but the first night, full for want of dates): a night that did
  # nothing, ran another day, or visited as the other side did would compare a journal with itself.
  ran=$(sqlite3 "$work/$side/litige.sqlite" \
    "SELECT substr(as_of, 1, 10) || ':' || json_extract(report, '$.full') FROM runs
     WHERE dry_run = 0 AND status = 'completed' ORDER BY as_of" | tr '\n' ' ')
  expected=""
  for i in $(seq 0 $((nights - 1))); do
    full=$([ "$side" = full ] || [ "$i" = 0 ] && echo 1 || echo 0)
    expected="$expected$(date -u -d "2026-03-02 + $i days" +%Y-%m-%d):$full "
  done
  if [ "$ran" != "$expected" ]; then
    echo "replay: the $side side's nights (day:full) are not the ones asked for; expected $expected; recorded $ran" \
      | cut -c1-600 >&2
    exit 2
  fi
  # The whole journal but the run ids, which differ by design: case, time, kind, payload, reason, who.
  sqlite3 "$work/$side/litige.sqlite" \
    "SELECT case_id, at, kind, payload, reason, source, hook FROM events ORDER BY case_id, id" >"$work/$side.journal"
done
events=$(wc -l <"$work/indexed.journal")
line="$nights nights over $cases cases: with the index $(cat "$work/indexed.seconds") s, visiting every case"
line="$line $(cat "$work/full.seconds") s;"
if cmp -s "$work/indexed.journal" "$work/full.journal"; then
  echo "$line journals identical ($events events)."
else
  echo "$line journals DIFFERENT ($events events with the index, $(wc -l <"$work/full.journal") without)."
  diff "$work/indexed.journal" "$work/full.journal" | head -n 20 >"$work/difference.txt" || true
  echo "replay: the first differences are in $work/difference.txt (< with the index, > without)" >&2
  exit 1
fi
