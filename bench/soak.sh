#!/usr/bin/env bash
# A soak: mixed traffic (bench/mixed.lua) against one worker on PostgreSQL,
# printing the worker's RSS every minute and the errors at the end.
# Usage: bash bench/soak.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# SOAK_MINUTES=10 CONNECTIONS=16; USERS=2000 POSTS=10000 COMMENTS=50000
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
SOAK_MINUTES="${SOAK_MINUTES:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
USERS="${USERS:-2000}" POSTS="${POSTS:-10000}" COMMENTS="${COMMENTS:-50000}"
export AUTH_JWT_EXP=$((SOAK_MINUTES + 30))
export IDS_FILE=/tmp/bench-soak-ids.txt

fresh_database
uv run --frozen python -m src.cli seed --users "$USERS" --posts "$POSTS" \
  --comments "$COMMENTS" --random-seed 1 2>/dev/null | tail -1
psql -q -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c "VACUUM ANALYZE"
psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" \
  -c "SELECT id FROM post ORDER BY random() LIMIT 5000" >"$IDS_FILE"

start_server
curl -sf -o /dev/null -X POST "$BENCH_URL/auth/users" -H 'Content-Type: application/json' \
  -d '{"email":"soak@example.com","username":"soak_user","password":"Soak-pass-123!","first_name":"Soak"}'
BENCH_TOKEN=$(curl -sf -X POST "$BENCH_URL/auth/token" -d 'username=soak_user&password=Soak-pass-123!' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
BENCH_USER_ID=$(curl -sf "$BENCH_URL/auth/users/me" -H "Authorization: Bearer $BENCH_TOKEN" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
export BENCH_TOKEN BENCH_USER_ID

# One minute of traffic first: RSS is compared from a warm worker.
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d60s -s bench/mixed.lua "$BENCH_URL" >/dev/null
echo "RSS at start: $(server_rss_mib) MiB"
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${SOAK_MINUTES}m" --latency -s bench/mixed.lua \
  "$BENCH_URL" >/tmp/bench-soak-wrk.txt &
WRK_PID=$!
for minute in $(seq "$SOAK_MINUTES"); do
  sleep 60
  echo "minute $minute: RSS $(server_rss_mib) MiB"
done
wait "$WRK_PID"
grep -E "Requests/sec|requests in|Socket errors|non-2xx|  99%" /tmp/bench-soak-wrk.txt
echo "RSS at end: $(server_rss_mib) MiB"
echo "server errors logged: $(grep -c '"level": "error"' /tmp/bench-server.log || true)"
stop_server
