#!/usr/bin/env bash
# The Conduit adapter against the native routes it maps onto, on one server
# and one database, in alternating runs (native, Conduit, native...): the
# public list's first page (anonymous) and a signed-in reader's feed
# (following 20 authors). Prints the median requests/s of ROUNDS runs and
# the adapter's ratio to the native route.
# Usage: bash bench/conduit.sh   (PostgreSQL, wrk installed)
# Sizes: USERS=10000 POSTS=100000; ROUNDS=3 DURATION=10s CONNECTIONS=16;
# REUSE_DATABASE=1 measures the database bench/scale.sh (or this) left.
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
ROUNDS="${ROUNDS:-3}"
export AUTH_JWT_EXP=60
export IDS_FILE=/tmp/bench-post-ids.txt
export SEED_ARGS="--follows-per-user 20 --favorites-per-user 20"
if [[ -z "${REUSE_DATABASE:-}" ]]; then
  seeded_database "${USERS:-10000}" "${POSTS:-100000}" 0
else
  uv run --frozen python -m src.cli migrate >/dev/null 2>&1
fi
start_server

# A reader who follows 20 authors, signed in on both APIs (demo users share
# one password).
reader=$(psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c \
  "SELECT auth_user.username, auth_user.email FROM list_count JOIN auth_user
   ON auth_user.id = owner_id WHERE list_name = 'user_following' AND total = 20 LIMIT 1")
IFS='|' read -r username email <<<"$reader"
bearer=$(curl -sf -X POST "$BENCH_URL/auth/token" -d "username=$username&password=Demo-passw0rd!" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
token=$(curl -sf -X POST "$BENCH_URL/api/users/login" -H 'Content-Type: application/json' \
  -d "{\"user\": {\"email\": \"$email\", \"password\": \"Demo-passw0rd!\"}}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["user"]["token"])')

wrk_args=(-t1 -c"$CONNECTIONS" -d"$DURATION")
CASES=(list feed)
SIDES=(native conduit)
run_case() {
  case "$1-$2" in
    native-list) run_wrk "GET /posts" "${wrk_args[@]}" "$BENCH_URL/posts" ;;
    conduit-list) run_wrk "GET /api/articles" "${wrk_args[@]}" "$BENCH_URL/api/articles" ;;
    native-feed) run_wrk "GET /feed" "${wrk_args[@]}" -H "Authorization: Bearer $bearer" "$BENCH_URL/feed" ;;
    conduit-feed) run_wrk "GET /api/articles/feed" "${wrk_args[@]}" -H "Authorization: Token $token" "$BENCH_URL/api/articles/feed" ;;
  esac
}
echo "one worker on CPU 0, wrk on CPU 1, $CONNECTIONS connections, $DURATION per run, $ROUNDS rounds"
interleaved_runs
for pair in "${CASES[@]}"; do
  native=$(median_rps native "$pair")
  conduit=$(median_rps conduit "$pair")
  awk -v n="$pair" -v a="$native" -v b="$conduit" \
    'BEGIN {printf "%-5s native %8.1f req/s   conduit %8.1f req/s   native/conduit %.2fx\n", n, a, b, a / b}'
done
