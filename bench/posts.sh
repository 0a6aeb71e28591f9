#!/usr/bin/env bash
# The read and write paths of posts on seeded PostgreSQL data, and the
# hand-written ceiling (bench/ceiling.py) for GET /posts/{id}.
# Usage: bash bench/posts.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: USERS=10000 POSTS=100000 COMMENTS=500000; DURATION=15s CONNECTIONS=64
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-64}"
USERS="${USERS:-10000}" POSTS="${POSTS:-100000}" COMMENTS="${COMMENTS:-500000}"
export AUTH_JWT_EXP=60
export IDS_FILE=/tmp/bench-post-ids.txt

seeded_database "$USERS" "$POSTS" "$COMMENTS"

start_server
bench_user

wrk_args=(-t1 -c"$CONNECTIONS" -d"$DURATION")
echo "one serve worker on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION per run"
run_wrk "GET /posts" "${wrk_args[@]}" "$BENCH_URL/posts"
api_line=$(PATH_TEMPLATE="/posts/{id}" run_wrk "GET /posts/{id}" "${wrk_args[@]}" -s bench/random_id.lua "$BENCH_URL")
echo "$api_line"
PATH_TEMPLATE="/posts/{id}/comments" run_wrk "GET /posts/{id}/comments" "${wrk_args[@]}" -s bench/random_id.lua "$BENCH_URL"
run_wrk "POST /posts" "${wrk_args[@]}" -s bench/create_post.lua "$BENCH_URL/posts"
echo "server RSS after: $(server_rss_mib) MiB"
stop_server

start_server_app bench.ceiling:app
ceiling_line=$(PATH_TEMPLATE="/posts/{id}" run_wrk "ceiling GET /posts/{id}" "${wrk_args[@]}" -s bench/random_id.lua "$BENCH_URL")
echo "$ceiling_line"
awk -v api="$(awk '{print $3}' <<<"$api_line")" -v top="$(awk '{print $4}' <<<"$ceiling_line")" \
  'BEGIN {printf "GET /posts/{id} reaches %.2f of the ceiling\n", api / top}'
