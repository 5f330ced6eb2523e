#!/usr/bin/env bash
# Load test of POST /v1/shipments/export through the API, as in README.md (Performance, Server):
# one shipment per request, the same with idempotency keys, and batches of 100, then
# `audit verify`. The server is pinned to core 0 (one worker thread), the client to core 1.
#
#   cargo build --release && scripts/loadtest-shipments.sh              # SQLite in a temp dir
#   DB=postgres://postgres@127.0.0.1:5432/tg_lt scripts/loadtest-shipments.sh   # an empty database
set -euo pipefail
B=${TOLLGATE:-$(cd "$(dirname "$0")/.." && pwd)/target/release/tollgate}
WORK=$(mktemp -d)
DB=${DB:-sqlite://$WORK/ship.db}
PORT=${PORT:-18081}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-8}
U=http://127.0.0.1:$PORT
REG=$($B token create --role regulator --db "$DB" | tail -1)
ACME=$($B token create --role exporter --exporter acme --db "$DB" | tail -1)
taskset -c 0 "$B" serve --addr 127.0.0.1:$PORT --db "$DB" --threads 1 >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do curl -sf $U/health >/dev/null && break; sleep 0.2; done
post() { curl -sf -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$3" "$U$2"; }
# A Chinese customer on a licence far larger than the run, and US end-use units so that the
# 50 % cap never binds: every shipment goes through every check.
CID=$(post "$REG" /v1/customers '{"name":"Shenzhen Compute","country":"CN","exporter":"acme"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
post "$REG" "/v1/customers/$CID/approve" '{"kyc_until":"2026-12-31"}' >/dev/null
post "$REG" /v1/licences "{\"number\":\"L-LOAD\",\"exporter\":\"acme\",\"customer\":\"$CID\",\"chip\":\"h200\",\"quantity\":1000000000000,\"value\":\"1000000000000000.00\",\"valid_until\":\"2026-12-31\"}" >/dev/null
post "$ACME" /v1/shipments/domestic '{"chip":"h200","quantity":1000000000000,"date":"2026-01-20"}' >/dev/null
# One test report covering every unit of the run: a report covers its units_tested once,
# across all shipments.
ITEM='{"licence":"L-LOAD","quantity":1,"value":"25000.00","date":"2026-02-15","test_report":{"lab":"Example Labs, Austin TX","report_id":"EL-2026-0042","date":"2026-02-10","chip":"nvidia-h200-sxm","units_tested":1000000000000,"measured":{"tpp":15790,"dram_bandwidth_gbs":4790}}}'
BATCH=$(printf "$ITEM%.0s," $(seq 1 100)); BATCH=${BATCH%,}
L=(taskset -c 1 "$B" loadtest --url $U/v1/shipments/export --method POST --token "$ACME"
  --seconds "$SECONDS_PER_RUN" --threads 1)
echo "== one shipment per request, 32 connections"
"${L[@]}" --connections 32 --body-inline "{\"shipments\":[$ITEM]}" | tail -3
echo "== the same with a fresh Idempotency-Key per request"
"${L[@]}" --connections 32 --idempotency-keys --body-inline "{\"shipments\":[$ITEM]}" | tail -3
echo "== batches of 100, 8 connections"
"${L[@]}" --connections 8 --items-per-request 100 --body-inline "{\"shipments\":[$BATCH]}" | tail -3
"$B" audit verify --db "$DB" | tail -1
