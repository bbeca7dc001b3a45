#!/usr/bin/env bash
# The kill -9 crash harness (crates/haoban/tests/crash.rs) at 200 cycles, with its figures.
#
#   bench/crash.sh                      # 200 kills, the harness's default seed, debug build
#   bench/crash.sh --cycles 500 --seed 7
#   bench/crash.sh --release            # the server built with optimizations
#
# Each cycle starts `haoban serve` on one SQLite file, lets 4 clients open cases and take
# transitions for 50-400 ms, kills the server with SIGKILL, runs `haoban audit verify`,
# restarts and reads back every acknowledged transition through the API. The test fails
# on any lost acknowledgement, broken chain or half-applied request; this script runs it
# once, then prints the harness's summary line as a table.
#
# A debug build is the default: it is the build CI tests and the one `cargo test` has
# usually built already; durability does not depend on optimizations, only the number of
# transitions per cycle does. Builds go to $CARGO_TARGET_DIR (set it to share a target).
set -euo pipefail
cd "$(dirname "$0")/.."

cycles=200
seed=""
profile=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cycles) cycles="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --release) profile=(--release); shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

log=$(mktemp)
trap 'rm -f "$log"' EXIT

build_started=$(date +%s.%N)
cargo test -q "${profile[@]}" -p haoban --test crash --no-run 2>&1 | tail -n 3
build_s=$(echo "$(date +%s.%N) - $build_started" | bc)

export HAOBAN_CRASH_CYCLES="$cycles"
if [ -n "$seed" ]; then export HAOBAN_CRASH_SEED="$seed"; fi
started=$(date +%s.%N)
status=0
cargo test -q "${profile[@]}" -p haoban --test crash -- --nocapture >"$log" 2>&1 || status=$?
wall_s=$(echo "$(date +%s.%N) - $started" | bc)

summary=$(grep -o 'crash-summary .*' "$log" | tail -n 1 || true)
if [ "$status" -ne 0 ] || [ -z "$summary" ]; then
  echo "the crash harness FAILED (exit $status); its output ends:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$summary"; }
grep -o '^crash: .*' "$log" || true
echo
printf '| figure | value |\n| --- | ---: |\n'
printf '| build | %s (%.0f s, already built counts as ~0) |\n' \
  "${profile[*]:-debug}" "$build_s"
printf '| kill -9 cycles | %s (seed %s) |\n' "$(field cycles)" "$(field seed)"
printf '| requests sent | %s |\n' "$(field requests)"
printf '| transitions acknowledged (2xx) | %s |\n' "$(field acks)"
printf '| acknowledged transitions checked after restarts | %s |\n' "$(field ack_checks)"
printf '| case read-backs | %s |\n' "$(field case_checks)"
printf '| lost acknowledgements | %s |\n' "$(field lost)"
printf '| requests in flight at a kill | %s (on known cases: %s applied whole, %s not at all) |\n' \
  "$(field in_flight)" "$(field in_flight_applied)" "$(field in_flight_not_applied)"
printf '| chain verifications (`haoban audit verify`) | %s, all intact |\n' \
  "$(field chain_verifications)"
printf '| time under load | %.1f s |\n' "$(echo "$(field busy_ms) / 1000" | bc -l)"
printf '| harness wall time | %.1f s |\n' "$(echo "$(field wall_ms) / 1000" | bc -l)"
printf '| cargo test wall time | %.1f s |\n' "$wall_s"
