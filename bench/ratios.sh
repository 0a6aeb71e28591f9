#!/usr/bin/env bash
# The API's share of the hand-written ceiling (bench/ceiling.py) on the same
# work: GET /posts/{id} over random posts and the feed's first page
# (GET /posts?limit=20). Both servers run at once on CPU 0 (wrk on CPU 1) and
# the runs alternate API, ceiling, API, ceiling... so that both see the same
# machine; the median of ROUNDS runs is kept.
# Usage: bash bench/ratios.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: USERS=10000 POSTS=100000 COMMENTS=100000; ROUNDS=3 DURATION=10s
# CONNECTIONS=16
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-3}"
USERS="${USERS:-10000}" POSTS="${POSTS:-100000}" COMMENTS="${COMMENTS:-100000}"
CEILING_PORT=$((BENCH_PORT + 1))
CEILING_URL="http://127.0.0.1:$CEILING_PORT"
export IDS_FILE=/tmp/bench-post-ids.txt

seeded_database "$USERS" "$POSTS" "$COMMENTS"
start_server
APP_PORT=$CEILING_PORT start_server_app bench.ceiling:app

wrk_args=(-t1 -c"$CONNECTIONS" -d"$DURATION")
CASES=(post feed)
SIDES=(api ceiling)
run_case() {
  local url=$BENCH_URL
  [[ $1 == ceiling ]] && url=$CEILING_URL
  case "$2" in
    post) PATH_TEMPLATE="/posts/{id}" run_wrk "$1 GET /posts/{id}" "${wrk_args[@]}" -s bench/random_id.lua "$url" ;;
    feed) run_wrk "$1 GET /posts?limit=20" "${wrk_args[@]}" "$url/posts?limit=20" ;;
  esac
}
echo "one worker each on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION per run, $ROUNDS rounds"
interleaved_runs
for route in "${CASES[@]}"; do
  api=$(median_rps api "$route")
  top=$(median_rps ceiling "$route")
  name="GET /posts/{id}"; [[ $route == feed ]] && name="GET /posts?limit=20"
  awk -v n="$name" -v a="$api" -v t="$top" \
    'BEGIN {printf "%-20s API %8.1f req/s   ceiling %8.1f req/s   ratio %.2f\n", n, a, t, a / t}'
done
