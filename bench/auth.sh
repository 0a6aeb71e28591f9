#!/usr/bin/env bash
# Login latency, /health latency while logins are hammered, and whether a
# password reset's timing tells that an account exists.
# Usage: bash bench/auth.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
DURATION="${DURATION:-15s}"

fresh_database
start_server
curl -sf -o /dev/null -X POST "$BENCH_URL/auth/users" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","username":"bench_user","password":"Bench-pass-123!","first_name":"Bench"}'

echo "one worker, Argon2id t=2 m=19MiB p=1 (the defaults); $DURATION per run"
run_wrk "POST /auth/token (c=1)" -t1 -c1 -d"$DURATION" -s bench/login.lua "$BENCH_URL/auth/token"
run_wrk "POST /auth/token (c=8)" -t1 -c8 -d"$DURATION" -s bench/login.lua "$BENCH_URL/auth/token"
run_wrk "GET /health (no logins)" -t1 -c4 -d"$DURATION" "$BENCH_URL/health"
echo "-- both at once:"
run_wrk "POST /auth/token (c=8)" -t1 -c8 -d"$DURATION" --timeout 10s -s bench/login.lua "$BENCH_URL/auth/token" &
LOGINS=$!
run_wrk "GET /health during logins" -t1 -c4 -d"$DURATION" "$BENCH_URL/health"
wait $LOGINS
echo "server RSS after: $(server_rss_mib) MiB"
uv run --frozen python -m bench.reset_timing "$BENCH_URL" bench@example.com
