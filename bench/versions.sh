#!/usr/bin/env bash
# This tree against an earlier commit on bench/posts.sh's routes: both
# servers run at once on CPU 0 (wrk on CPU 1), each on a database its own
# code migrated and seeded (the same sizes and random seed), and the runs
# alternate (before, after, before, after...) so that both see the same
# machine; the median of ROUNDS runs is kept.
# Usage: bash bench/versions.sh REF   (a commit; PostgreSQL, wrk installed)
# Sizes: USERS=10000 POSTS=100000 COMMENTS=500000; ROUNDS=3 DURATION=10s
# CONNECTIONS=64
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
REF="${1:?usage: bash bench/versions.sh REF}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
ROUNDS="${ROUNDS:-3}"
USERS="${USERS:-10000}" POSTS="${POSTS:-100000}" COMMENTS="${COMMENTS:-500000}"
export AUTH_JWT_EXP=60
export IDS_FILE=/tmp/bench-post-ids.txt
BEFORE_DIR=$(mktemp -d /tmp/bench-before-XXXXXX)
BEFORE_PORT=$((BENCH_PORT + 2))
BEFORE_URL="http://127.0.0.1:$BEFORE_PORT"
trap 'kill "${SERVER_PIDS[@]}" 2>/dev/null || true; git worktree remove --force "$BEFORE_DIR"' EXIT

git worktree add --detach -q "$BEFORE_DIR" "$REF"
(cd "$BEFORE_DIR" && uv sync --frozen -q)
# Each version on its own schema and data: the earlier one first, from its
# own tree (bench/common.sh as it was then seeds it), then this one.
AFTER_DB=$BENCH_DB
BEFORE_DB="${BENCH_DB}_before"
(cd "$BEFORE_DIR" && BENCH_DB=$BEFORE_DB bash -c 'source bench/common.sh && seeded_database "$@"' _ \
  "$USERS" "$POSTS" "$COMMENTS")
seeded_database "$USERS" "$POSTS" "$COMMENTS"

start_server
(cd "$BEFORE_DIR" && DATABASE_URL="$BENCH_PG/$BEFORE_DB" exec taskset -c 0 uv run --frozen \
  python -m src.cli serve --no-migrate --port "$BEFORE_PORT" >/tmp/bench-server-before.log 2>&1) &
wait_for_server "$BEFORE_URL"
bench_user
# The same user in the earlier database: create_post.lua posts with one token.
curl -sf -o /dev/null -X POST "$BEFORE_URL/auth/users" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","username":"bench_user","password":"Bench-pass-123!","first_name":"Bench"}'
BEFORE_TOKEN=$(curl -sf -X POST "$BEFORE_URL/auth/token" -d 'username=bench_user&password=Bench-pass-123!' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
AFTER_TOKEN=$BENCH_TOKEN
BEFORE_IDS=/tmp/bench-post-ids-before.txt
# Published posts on both sides, as bench/common.sh picks them: a draft is a
# cheaper 404.
psql -At -h 127.0.0.1 -U postgres -d "$BEFORE_DB" \
  -c "SELECT id FROM post WHERE status = 'published' ORDER BY random() LIMIT 5000" >"$BEFORE_IDS"

wrk_args=(-t1 -c"$CONNECTIONS" -d"$DURATION")
# Signed in: the same reads with an access token (the caller is looked up),
# and a list that loads its user (the feed).
CASES=("GET /posts" "GET /posts/{id}" "GET /posts/{id}/comments" "POST /posts"
  "GET /posts signed in" "GET /posts/{id} signed in" "GET /feed")
SIDES=(before after)
run_case() {
  local url=$BENCH_URL ids=$IDS_FILE token=$AFTER_TOKEN
  [[ $1 == before ]] && url=$BEFORE_URL ids=$BEFORE_IDS token=$BEFORE_TOKEN
  case "$2" in
    "GET /posts") run_wrk "$2" "${wrk_args[@]}" "$url/posts" ;;
    "GET /posts/{id}") IDS_FILE=$ids PATH_TEMPLATE="/posts/{id}" run_wrk "$2" "${wrk_args[@]}" -s bench/random_id.lua "$url" ;;
    "GET /posts/{id}/comments") IDS_FILE=$ids PATH_TEMPLATE="/posts/{id}/comments" run_wrk "$2" "${wrk_args[@]}" -s bench/random_id.lua "$url" ;;
    "POST /posts") BENCH_TOKEN=$token run_wrk "$2" "${wrk_args[@]}" -s bench/create_post.lua "$url/posts" ;;
    "GET /posts signed in") run_wrk "$2" "${wrk_args[@]}" -H "Authorization: Bearer $token" "$url/posts" ;;
    "GET /posts/{id} signed in") IDS_FILE=$ids PATH_TEMPLATE="/posts/{id}" run_wrk "$2" "${wrk_args[@]}" \
      -H "Authorization: Bearer $token" -s bench/random_id.lua "$url" ;;
    "GET /feed") run_wrk "$2" "${wrk_args[@]}" -H "Authorization: Bearer $token" "$url/feed" ;;
  esac
}
echo "before: $REF; after: this tree; one worker each on CPU 0, wrk on CPU 1,"
echo "$CONNECTIONS connections, $DURATION per run, $ROUNDS rounds"
interleaved_runs
for route in "${CASES[@]}"; do
  before=$(median_rps before "$route")
  after=$(median_rps after "$route")
  awk -v n="$route" -v b="$before" -v a="$after" \
    'BEGIN {printf "%-26s before %8.1f req/s   after %8.1f req/s   %+.1f%%\n", n, b, a, 100 * (a / b - 1)}'
done
