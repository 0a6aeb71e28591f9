#!/usr/bin/env bash
# Notification streams (GET /notifications/stream) on `serve`, default
# configuration, one worker on CPU 0 (clients on CPU 1):
# 1. GET /posts/{id} throughput with no stream open and with STREAMS (5000)
#    streams open and idle, in interleaved rounds on one server, and the
#    worker's RSS before and with them;
# 2. notification latency with LATENCY_STREAMS (1000) streams open and RATE
#    (50) comments a second, one worker, then two workers with Redis.
# Usage: bash bench/stream.sh   (PostgreSQL, Redis on 127.0.0.1, wrk installed)
# Sizes: USERS=1000 POSTS=10000; DURATION=10s CONNECTIONS=64 ROUNDS=3
cd "$(dirname "$0")/.."
source bench/common.sh
post_reads_setup 10s
STREAMS="${STREAMS:-5000}"
LATENCY_STREAMS="${LATENCY_STREAMS:-1000}"
RATE="${RATE:-50}"
SECONDS_OF_COMMENTS="${SECONDS_OF_COMMENTS:-20}"
stream() { taskset -c 1 uv run --frozen python -m bench.stream "$@" --port "$BENCH_PORT"; }
# The worker's RSS (common.sh's server_rss_mib takes the newest process on
# the port, which is the stream holder here).
worker_rss_mib() {
  awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$(pgrep -n -f -- "bin/python -m src.cli serve")/status"
}

start_server
echo "GET /posts/{id}: $CONNECTIONS connections, $DURATION, rounds interleaved"
for round in $(seq "$ROUNDS"); do
  run_wrk "no streams (round $round)" "${wrk_args[@]}"
  before=$(worker_rss_mib)
  coproc HOLD { stream hold --streams "$STREAMS" --per-user 5; }
  read -r ready <&"${HOLD[0]}"
  [ "$ready" = ready ] || { echo "streams did not open" >&2; exit 1; }
  held=$(worker_rss_mib)
  run_wrk "$STREAMS streams (round $round)" "${wrk_args[@]}"
  echo "  RSS: $before MiB before, $held MiB with $STREAMS streams open"
  exec {HOLD[1]}>&-
  wait "$HOLD_PID"
done
stop_server

echo "Latency, $LATENCY_STREAMS streams, $RATE comments/s for ${SECONDS_OF_COMMENTS}s"
start_server
echo "one worker: $(stream latency --streams "$LATENCY_STREAMS" --rate "$RATE" --seconds "$SECONDS_OF_COMMENTS")"
stop_server
# Two workers start slower than common.sh's wait allows.
REDIS_URL=redis://127.0.0.1:6379/0 JOBS_RUN_IN_API=true \
  taskset -c 0 uv run --frozen python -m src.cli serve --no-migrate \
  --port "$BENCH_PORT" --workers 2 >/tmp/bench-server.log 2>&1 &
SERVER_PID=$!
SERVER_PIDS+=("$SERVER_PID")
for _ in $(seq 600); do curl -s -o /dev/null "$BENCH_URL/" && break; sleep 0.1; done
echo "two workers, Redis: $(stream latency --streams "$LATENCY_STREAMS" --rate "$RATE" --seconds "$SECONDS_OF_COMMENTS")"
stop_server
