#!/usr/bin/env bash
# `tollgate check --batch` end to end, as in README.md (Performance): N orders (default 10,000)
# as JSON lines, cycling through the 56 golden scenario orders with a distinct party name per
# order (so the screening cache does not answer them), decided with every party screened
# against the bundled lists, and again with --no-screen.
#
#   cargo build --release && scripts/bench-check-batch.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${TOLLGATE:-$ROOT/target/release/tollgate}
N=${1:-10000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROOT/crates/tollgate-core/tests/scenarios" "$N" >"$WORK/orders.jsonl" <<'PY'
import json, pathlib, sys
scenarios = [json.loads(p.read_text())["order"] for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json"))]
for i in range(int(sys.argv[2])):
    o = json.loads(json.dumps(scenarios[i % len(scenarios)]))
    o["id"] = f"PO-{i:06d}"
    for role, p in o.get("parties", {}).items():
        for party in (p if isinstance(p, list) else [p]):
            # Listed names stay as they are (their hits are the point); others get a suffix.
            if isinstance(party, dict) and "name" in party and role != "intermediate_consignees":
                if "Example" in party["name"]:
                    party["name"] = f'{party["name"]} {i}'
    print(json.dumps(o))
PY
echo "$N orders, $(wc -c <"$WORK/orders.jsonl") bytes"
head -n 1 "$WORK/orders.jsonl" >"$WORK/one.jsonl"
secs() { local s e; s=$(date +%s.%N); "$@" >"$WORK/decisions.jsonl"; e=$(date +%s.%N); python3 -c "print(float('$e') - float('$s'))"; }
for mode in screened --no-screen; do
  flag=(); [ "$mode" = --no-screen ] && flag=(--no-screen)
  # Start-up (loading the lists) measured with a one-order batch, best of 3.
  startup=$(for _ in 1 2 3; do secs "$B" check --batch "$WORK/one.jsonl" "${flag[@]}"; done | sort -n | head -1)
  total=$(secs "$B" check --batch "$WORK/orders.jsonl" "${flag[@]}")
  lines=$(wc -l <"$WORK/decisions.jsonl")
  python3 -c "
n, total, startup = $lines, $total, $startup
print(f'$mode: {n} decisions in {total:.2f} s wall ({n/total:,.0f} orders/s); less {startup:.2f} s start-up: {n/(total-startup):,.0f} orders/s')"
done
