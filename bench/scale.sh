#!/usr/bin/env bash
# Reads at two sizes of the same data set: does a list cost the same with a
# million posts as with ten thousand? For each size, `seed` fills a fresh
# database (10k users, one comment per post), then each route is measured
# alone (median of 5 requests after a warm-up, milliseconds) and under 16
# connections (requests/s, p50, p99), one serve worker with the default
# configuration. Prints one table.
# Usage: bash bench/scale.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: SIZES="10000 1000000"; USERS=10000 DURATION=10s CONNECTIONS=16
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
SIZES="${SIZES:-10000 1000000}"
USERS="${USERS:-10000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
export IDS_FILE=/tmp/bench-post-ids.txt
USER_IDS_FILE=/tmp/bench-user-ids.txt
# Seeded text: every vocabulary word is in most posts; "quokka" is in about
# one post in ten thousand (src/cli/seed.py).
COMMON_WORD=garden
RARE_WORD=quokka

ROUTES=(post feed deep user_posts comments search_rare search_common)
declare -A LABEL=(
  [post]="GET /posts/{id}"
  [feed]="GET /posts?limit=20"
  [deep]="GET /posts?cursor= (10,000 deep)"
  [user_posts]="GET /users/{id}/posts"
  [comments]="GET /posts/{id}/comments"
  [search_rare]="GET /posts?q=$RARE_WORD"
  [search_common]="GET /posts?q=$COMMON_WORD"
)
declare -A RESULT

# Milliseconds of one request alone: the median of 5, after a warm-up.
alone_ms() {
  curl -sf -o /dev/null "$1" || { echo "failed: $1" >&2; exit 1; }
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total}\n' "$1"
  done | sort -n | awk 'NR == 3 {printf "%.1f", $1 * 1000}'
}

# "req/s p50 p99" under load; PATH_TEMPLATE set means random ids from IDS_FILE.
loaded() {
  local out
  if [[ -n "${PATH_TEMPLATE:-}" ]]; then
    out=$(taskset -c 1 wrk --latency -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/random_id.lua "$BENCH_URL")
  else
    out=$(taskset -c 1 wrk --latency -t1 -c"$CONNECTIONS" -d"$DURATION" "$1")
  fi
  if grep -q "Non-2xx" <<<"$out"; then
    echo "non-2xx answers on $1" >&2
  fi
  awk '/Requests\/sec/ {rps = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
       END {printf "%s %s %s", rps, p50, p99}' <<<"$out"
}

measure_size() {
  local posts="$1"
  seeded_database "$USERS" "$posts" "$posts"
  psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" \
    -c "SELECT creator_id FROM post ORDER BY random() LIMIT 5000" >"$USER_IDS_FILE"
  start_server
  local post_id user_id cursor
  post_id=$(head -1 "$IDS_FILE")
  user_id=$(head -1 "$USER_IDS_FILE")
  # The cursor after item 10,000 (after item 9,980 of a smaller feed, so
  # that a full page follows).
  local depth=$((posts - 20 < 10000 ? posts - 20 : 10000))
  cursor=$(curl -sf "$BENCH_URL/posts?offset=$((depth - 20))&limit=20" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["next_cursor"])')
  declare -A url=(
    [post]="$BENCH_URL/posts/$post_id"
    [feed]="$BENCH_URL/posts?limit=20"
    [deep]="$BENCH_URL/posts?limit=20&cursor=$cursor"
    [user_posts]="$BENCH_URL/users/$user_id/posts"
    [comments]="$BENCH_URL/posts/$post_id/comments"
    [search_rare]="$BENCH_URL/posts?q=$RARE_WORD"
    [search_common]="$BENCH_URL/posts?q=$COMMON_WORD"
  )
  declare -A template=(
    [post]="/posts/{id}" [comments]="/posts/{id}/comments" [user_posts]="/users/{id}/posts"
  )
  for route in "${ROUTES[@]}"; do
    local alone load
    alone=$(alone_ms "${url[$route]}")
    if [[ $route == user_posts ]]; then
      load=$(IDS_FILE=$USER_IDS_FILE PATH_TEMPLATE="${template[$route]}" loaded "${url[$route]}")
    else
      load=$(PATH_TEMPLATE="${template[$route]:-}" loaded "${url[$route]}")
    fi
    RESULT[$posts-$route]="$alone $load"
    echo "$posts posts, ${LABEL[$route]}: alone ${alone} ms; $CONNECTIONS connections: $load"
  done
  stop_server
}

for size in $SIZES; do
  measure_size "$size"
done

echo
echo "One serve worker (default configuration) on CPU 0, wrk on CPU 1; alone: median of 5 (ms); load: $CONNECTIONS connections, $DURATION"
printf '| %-32s |' "route"
for size in $SIZES; do printf ' %s posts: alone | req/s | p50 | p99 |' "$size"; done
echo
printf '|%s|' "$(printf -- '-%.0s' {1..34})"
for _ in $SIZES; do printf -- '---|---|---|---|'; done
echo
for route in "${ROUTES[@]}"; do
  printf '| %-32s |' "${LABEL[$route]}"
  for size in $SIZES; do
    read -r alone rps p50 p99 <<<"${RESULT[$size-$route]}"
    printf ' %s ms | %s | %s | %s |' "$alone" "$rps" "$p50" "$p99"
  done
  echo
done
