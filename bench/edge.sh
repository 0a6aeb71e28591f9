#!/usr/bin/env bash
# The HTTP edge: what `serve`'s protections (src/cli/protocol.py) stop, and
# what they cost on GET /posts/{id}, against uvicorn's httptools protocol
# without them (the same app, `uvicorn --factory --http httptools`).
# Both servers run under `ulimit -n 1024`, a common default; the probes do not.
# Usage: bash bench/edge.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: USERS=1000 POSTS=10000; DURATION=10s CONNECTIONS=64 ROUNDS=3
cd "$(dirname "$0")/.."
source bench/common.sh
post_reads_setup 10s

limited() { prlimit --nofile=1024 -- taskset -c 0 uv run --frozen "$@" --port "$BENCH_PORT" >/tmp/bench-server.log 2>&1 & }
guarded() { limited python -m src.cli serve --no-migrate; wait_for_server "$BENCH_URL"; }
plain() {
  limited uvicorn src.cli.serve:create_served_app --factory --http httptools --no-access-log
  wait_for_server "$BENCH_URL"
}

echo "GET /posts/{id}: one worker on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION, rounds interleaved"
for round in $(seq "$ROUNDS"); do
  for server in plain guarded; do
    "$server"
    run_wrk "$server (round $round)" "${wrk_args[@]}"
    stop_server
  done
done

for server in plain guarded; do
  echo "--- $server"
  "$server"
  uv run --frozen python -m bench.edge --port "$BENCH_PORT" \
    --pid "$(pgrep -n -f -- "--port $BENCH_PORT")"
  stop_server
done
