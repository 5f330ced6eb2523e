#!/usr/bin/env bash
# The issue-10 evaluation side by side: tollgate's matcher (examples/eval.rs, release build)
# and OpenSanctions' nomenklatura logic-v2 (scripts/compare_nomenklatura.py) on the same cases
# and the same list data. Sets up the Python venv under target/ on first use.
#   scripts/compare_screening.sh [--sample N]     (N: every Nth case, for nomenklatura only)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/nk-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import nomenklatura" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r scripts/requirements-nomenklatura.txt
fi
echo "=== tollgate ==="
cargo run -q --release -p tollgate-screen --example eval
echo
echo "=== nomenklatura ==="
"$VENV/bin/python" scripts/compare_nomenklatura.py "$@"
