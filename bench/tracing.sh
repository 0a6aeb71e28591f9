#!/usr/bin/env bash
# What tracing costs when it is off (the default): GET /posts/{id}
# requests/s of this tree against BASE, the last commit before tracing and
# /metrics existed (a git worktree with its own environment), /metrics off
# on both, one `serve` worker each, in interleaved rounds on 10k seeded posts.
# Usage: bash bench/tracing.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: USERS=1000 POSTS=10000; DURATION=15s CONNECTIONS=64 ROUNDS=3; BASE=ce79f5c
cd "$(dirname "$0")/.."
source bench/common.sh
BASE="${BASE:-ce79f5c}"
BASE_DIR=/tmp/bench-tracing-base
export METRICS_ENABLED=false
unset OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_TRACES_ENDPOINT

git worktree remove --force "$BASE_DIR" 2>/dev/null || true
git worktree add --detach "$BASE_DIR" "$BASE" >/dev/null
trap 'kill "${SERVER_PIDS[@]}" 2>/dev/null || true; git worktree remove --force "$BASE_DIR"' EXIT
uv sync --frozen --directory "$BASE_DIR" >/dev/null 2>&1

post_reads_setup 15s

echo "GET /posts/{id}: one worker on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION, rounds interleaved"
for round in $(seq "$ROUNDS"); do
  start_server
  run_wrk "this tree, tracing off (round $round)" "${wrk_args[@]}"
  stop_server
  taskset -c 0 uv run --frozen --directory "$BASE_DIR" python -m src.cli serve \
    --no-migrate --port "$BENCH_PORT" >/tmp/bench-server.log 2>&1 &
  wait_for_server "$BENCH_URL"
  run_wrk "$BASE, no tracing code (round $round)" "${wrk_args[@]}"
  stop_server
done
