#!/usr/bin/env bash
# The daily retention run (Store::purge_personal_data) on a simulated history, timed.
#
#   bench/retention.sh                 # 90 days of a ~120,000-cases-a-year center
#   bench/retention.sh --days 365
#
# Seeds a fresh SQLite database with `haoban sim`, then runs the store's retention twice
# (crates/haoban-store-sqlite/examples/retention.rs, built with optimizations) as if every
# case over were past its retention: the first run erases the whole history, the worst a
# first run on an old database meets; the second is any later day's run, with nothing new
# to erase, which the partial indexes of migration 0012 keep from reading the history.
# Builds go to $CARGO_TARGET_DIR (set it to share a target).
set -euo pipefail
cd "$(dirname "$0")/.."

days=90
while [ $# -gt 0 ]; do
  case "$1" in
    --days) days="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build -q --release -p haoban --bin haoban
cargo build -q --release -p haoban-store-sqlite --example retention
target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
"$target/release/haoban" sim --db "$work/bench.db" --days "$days" --seed 7
ls -l "$work/bench.db" | awk '{printf "database: %.0f MB\n", $5 / 1e6}'
"$target/release/examples/retention" "$work/bench.db" "$work/bench.db.keys"
