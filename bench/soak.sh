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

seeded_database "$USERS" "$POSTS" "$COMMENTS"

start_server
bench_user

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
