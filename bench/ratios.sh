#!/usr/bin/env bash
# The API's share of the hand-written ceiling (bench/ceiling.py) on the same
# work: GET /posts/{id} and GET /users/{id} over random rows, and the
# feed's first page (GET /posts?limit=20). Three servers run at once on
# CPU 0 (wrk on CPU 1):
#   uncached  the API with READ_CACHE_ENABLED=false (every read does its SQL)
#   cached    the API with the default configuration (its read cache on)
#   redis     the same with REDIS_URL (as several workers run it: one MGET
#             of the generations per read)
#   ceiling   Starlette + asyncpg + orjson, the API's SQL and JSON by hand
# The API's servers run from a production install (bench/common.sh). Runs
# alternate between them so that all see the same machine; the median
# of ROUNDS runs is kept. Also counts the PostgreSQL connections opened
# during the runs and the default API worker's memory at the end.
# Usage: bash bench/ratios.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: USERS=1000 POSTS=2000 COMMENTS=2000; ROUNDS=3 DURATION=10s
# CONNECTIONS=16
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-3}"
USERS="${USERS:-1000}" POSTS="${POSTS:-2000}" COMMENTS="${COMMENTS:-2000}"
CEILING_PORT=$((BENCH_PORT + 1))
CACHED_PORT=$((BENCH_PORT + 2))
REDIS_PORT=$((BENCH_PORT + 3))
export IDS_FILE=/tmp/bench-post-ids.txt
USER_IDS_FILE=/tmp/bench-user-ids.txt

seeded_database "$USERS" "$POSTS" "$COMMENTS"
psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" \
  -c "SELECT id FROM auth_user ORDER BY random() LIMIT 5000" >"$USER_IDS_FILE"
READ_CACHE_ENABLED=false start_server
APP_PORT=$CEILING_PORT start_server_app bench.ceiling:app
BENCH_PORT=$CACHED_PORT BENCH_URL="http://127.0.0.1:$CACHED_PORT" start_server
REDIS_URL=redis://127.0.0.1:6379/0 RATE_LIMIT_KEY_PREFIX="bench-$$" \
  BENCH_PORT=$REDIS_PORT BENCH_URL="http://127.0.0.1:$REDIS_PORT" start_server
sessions() {
  psql -At -h 127.0.0.1 -U postgres -d postgres \
    -c "SELECT sessions FROM pg_stat_database WHERE datname = '$BENCH_DB'"
}
opened_before=$(sessions)

wrk_args=(-t1 -c"$CONNECTIONS" -d"$DURATION")
CASES=(post feed profile)
SIDES=(uncached cached redis ceiling)
run_case() {
  local port=$BENCH_PORT
  [[ $1 == ceiling ]] && port=$CEILING_PORT
  [[ $1 == cached ]] && port=$CACHED_PORT
  [[ $1 == redis ]] && port=$REDIS_PORT
  local url="http://127.0.0.1:$port"
  case "$2" in
    post) PATH_TEMPLATE="/posts/{id}" run_wrk "$1 GET /posts/{id}" \
      "${wrk_args[@]}" -s bench/random_id.lua "$url" ;;
    feed) run_wrk "$1 GET /posts?limit=20" "${wrk_args[@]}" "$url/posts?limit=20" ;;
    profile) IDS_FILE=$USER_IDS_FILE PATH_TEMPLATE="/users/{id}" run_wrk \
      "$1 GET /users/{id}" "${wrk_args[@]}" -s bench/random_id.lua "$url" ;;
  esac
}
echo "one worker each on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION per run, $ROUNDS rounds"
interleaved_runs
for route in "${CASES[@]}"; do
  uncached=$(median_rps uncached "$route")
  cached=$(median_rps cached "$route")
  redis=$(median_rps redis "$route")
  top=$(median_rps ceiling "$route")
  case $route in
    post) name="GET /posts/{id}" ;;
    feed) name="GET /posts?limit=20" ;;
    profile) name="GET /users/{id}" ;;
  esac
  awk -v n="$name" -v u="$uncached" -v c="$cached" -v r="$redis" -v t="$top" 'BEGIN {
    printf "%-20s uncached %7.1f (%.2f)  cached %7.1f (%.2f)  redis %7.1f (%.2f)  ceiling %7.1f req/s\n",
      n, u, u / t, c, c / t, r, r / t, t }'
done
echo "PostgreSQL connections opened during the runs (all three servers): $(($(sessions) - opened_before))"
echo "default API worker's RSS after the runs: $(BENCH_PORT=$CACHED_PORT server_rss_mib) MiB"
if command -v redis-cli >/dev/null; then
  redis-cli --scan --pattern "bench-$$:*" | xargs -r redis-cli del >/dev/null
fi
