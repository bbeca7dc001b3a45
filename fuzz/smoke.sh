#!/usr/bin/env bash
# A short run of every fuzz target, for CI: builds them, then runs each over its committed
# seeds and for a few seconds more, one target at a time. Fails on any crash, panic,
# assertion or sanitizer report (the input is left in fuzz/artifacts/<target>/).
#
#   fuzz/smoke.sh              # 5 s per target after its seeds
#   fuzz/smoke.sh 0            # the seeds only
#   fuzz/smoke.sh 60           # a minute per target
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). New inputs go to a temporary directory,
# so the seeds are never changed. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-5}"
targets=(condition facts_json id_number population_csv upload_meta)

# cargo-fuzz passes -Z flags (sanitizer, coverage) to rustc; this lets stable take them.
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || { echo "cargo-fuzz is not installed: cargo install cargo-fuzz" >&2; exit 1; }

started=$SECONDS
cargo fuzz build
echo "fuzz/smoke.sh: built in $((SECONDS - started)) s"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  # One process (no -jobs: that forks and logs to fuzz-N.log).
  args=(-print_final_stats=1)
  if [ -f "dicts/$target.dict" ]; then args+=("-dict=dicts/$target.dict"); fi
  # Its worker threads end after `thread::scope` returns; LeakSanitizer then sees their
  # last allocations as leaks (docs/fuzzing.md).
  if [ "$target" = population_csv ]; then args+=(-detect_leaks=0); fi
  if [ "$seconds" -gt 0 ]; then args+=("-max_total_time=$seconds"); else args+=(-runs=0); fi
  mkdir -p "$scratch/$target"
  log="$scratch/$target.log"
  if ! cargo fuzz run "$target" "$scratch/$target" "seeds/$target" -- "${args[@]}" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz/smoke.sh: $target FAILED (the input is in fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz/smoke.sh: $target clean, ${runs:-?} executions"
done
echo "fuzz/smoke.sh: all ${#targets[@]} targets clean in $((SECONDS - started)) s"
