#!/usr/bin/env bash
# What /metrics costs: GET /posts/{id} requests/s with metrics on (the
# default) and off (METRICS_ENABLED=false), one `serve` worker each, in
# interleaved rounds on 10k seeded posts.
# Usage: bash bench/metrics.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: USERS=1000 POSTS=10000; DURATION=15s CONNECTIONS=64 ROUNDS=3
cd "$(dirname "$0")/.."
source bench/common.sh
post_reads_setup 15s

echo "GET /posts/{id}: one worker on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION, rounds interleaved"
for round in $(seq "$ROUNDS"); do
  for enabled in true false; do
    METRICS_ENABLED=$enabled start_server
    run_wrk "metrics $enabled (round $round)" "${wrk_args[@]}"
    stop_server
  done
done
