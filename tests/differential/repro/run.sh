#!/bin/sh
# Runs every reproduction and shows whether the binary matches expected.json (the spec).
# Usage: tests/differential/repro/run.sh [path/to/haoban]
cd "$(dirname "$0")" || exit 2
HAOBAN=${1:-../../../target/debug/haoban}
status=0
for d in */; do
  d=${d%/}
  got=$("$HAOBAN" prereview --catalog "$d" --facts "$d/facts.json" --on 2026-01-01 --json)
  if python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1]) != json.load(open(sys.argv[2])))' "$got" "$d/expected.json"; then
    echo "fixed    $d"
  else
    echo "BUG      $d"; echo "  got:      $got"; echo "  expected: $(cat "$d/expected.json")"; status=1
  fi
done
exit $status
