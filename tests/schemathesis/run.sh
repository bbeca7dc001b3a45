#!/usr/bin/env bash
# schemathesis over haoban's OpenAPI document (issue 8): every operation, every check the
# installed schemathesis offers, as several roles, against `haoban serve` on a fresh
# SQLite database. Exits non-zero on any failure.
#
#   bash tests/schemathesis/run.sh            # fixed seed, bounded examples
#   ST_SEED=7 ST_MAX_EXAMPLES=100 bash tests/schemathesis/run.sh
#
# Installs the pinned schemathesis (requirements.txt) into tests/schemathesis/.venv from
# PyPI the first time, or again when requirements.txt changes; builds the debug binary
# (the one the tests use, so CI builds nothing twice) unless HAOBAN_BIN names one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
    echo "schemathesis: installing $(grep -m1 '^schemathesis==' "$here/requirements.txt") into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi

# HAOBAN_BIN: a binary built already (CI's, or one copied out of a shared target dir).
bin="${HAOBAN_BIN:-}"
if [ -z "$bin" ]; then
    # The executable cargo reports, wherever its target directory is configured to be.
    bin="$(cd "$root" && cargo build --quiet -p haoban --message-format=json |
        python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "haoban" and m.get("executable"):
        print(m["executable"])')"
fi

exec "$venv/bin/python" "$here/run.py" --bin "$bin" --root "$root"
