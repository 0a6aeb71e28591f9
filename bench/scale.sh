#!/usr/bin/env bash
# Reads at two sizes of the same data set: does a list cost the same with a
# million posts as with ten thousand? For each size, `seed` fills a fresh
# database: USERS users (100k), one comment per post, each user following
# 20 others and keeping 20 posts (2M follows, 2M favorites), one author
# followed by 50k more users and one user following 5k more, tags drawn
# from a Zipf distribution. Then each route is measured alone (median of 5
# requests after a warm-up, once the route's load below has warmed every
# pooled connection, milliseconds) and under 16 connections
# (requests/s, p50, p99), one serve worker with the default configuration,
# and a post by the author with 50k followers is timed. Prints one table.
# Usage: bash bench/scale.sh   (PostgreSQL on 127.0.0.1:5432, wrk installed)
# Sizes: SIZES="10000 1000000"; USERS=100000 DURATION=10s CONNECTIONS=16;
# REUSE_DATABASE=1 SIZES=N measures the database the previous run left.
cd "$(dirname "$0")/.."
source bench/common.sh
need wrk
need psql
SIZES="${SIZES:-10000 1000000}"
USERS="${USERS:-100000}"
export SEED_ARGS="--follows-per-user 20 --favorites-per-user 20 --celebrity-followers 50000 --avid-follows 5000"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
export IDS_FILE=/tmp/bench-post-ids.txt
# Tokens taken at the start outlive a size's measurements (the default is 5 min).
export AUTH_JWT_EXP=60
USER_IDS_FILE=/tmp/bench-user-ids.txt
# Seeded text: every vocabulary word is in most posts; "quokka" is in about
# one post in ten thousand (src/cli/seed.py).
COMMON_WORD=garden
RARE_WORD=quokka

# The most used tag (src/cli/demo_data.py); the rare one is chosen for each
# size: the least used tag that still fills a page (so that both sizes
# compare pages of 20, not a page of 1 with a page of 20).
COMMON_TAG=async

ROUTES=(post feed deep user_posts comments search_rare search_common
  my_feed avid_feed tag_common tag_rare tags favorites followers)
declare -A LABEL=(
  [post]="GET /posts/{id}"
  [feed]="GET /posts?limit=20"
  [deep]="GET /posts?cursor= (10,000 deep)"
  [user_posts]="GET /users/{id}/posts"
  [comments]="GET /posts/{id}/comments"
  [search_rare]="GET /posts?q=$RARE_WORD"
  [search_common]="GET /posts?q=$COMMON_WORD"
  [my_feed]="GET /feed (following 20)"
  [avid_feed]="GET /feed (following 5k)"
  [tag_common]="GET /posts?tag=$COMMON_TAG"
  [tag_rare]="GET /posts?tag= (rare, 21+ posts)"
  [tags]="GET /tags"
  [favorites]="GET /users/{id}/favorites"
  [followers]="GET /users/{id}/followers (50k)"
)
declare -A RESULT

# Milliseconds of one request alone: the median of 5, after a warm-up
# (AUTH set sends it as the Authorization header).
alone_ms() {
  local headers=()
  [[ -n "${AUTH:-}" ]] && headers=(-H "Authorization: $AUTH")
  curl -sf -o /dev/null "${headers[@]}" "$1" || { echo "failed: $1" >&2; exit 1; }
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total}\n' "${headers[@]}" "$1"
  done | sort -n | awk 'NR == 3 {printf "%.1f", $1 * 1000}'
}

# The demo user with the most (or most followed) `list`: its id.
top_of() {
  psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c \
    "SELECT owner_id FROM list_count WHERE list_name = '$1' ORDER BY total DESC LIMIT 1"
}

# A bearer token for the user with this id (demo users share one password).
token_of() {
  local username
  username=$(psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c "SELECT username FROM auth_user WHERE id = '$1'")
  curl -sf -X POST "$BENCH_URL/auth/token" -d "username=$username&password=Demo-passw0rd!" |
    python3 -c 'import json, sys; print("Bearer " + json.load(sys.stdin)["access_token"])'
}

# Milliseconds of a POST /posts alone by the user whose token is given: the
# median of 5 (each a new post).
post_ms() {
  for n in 1 2 3 4 5 6; do
    curl -s -o /dev/null -w '%{time_total}\n' -X POST "$BENCH_URL/posts" \
      -H "Authorization: $1" -H 'Content-Type: application/json' \
      -d "{\"title\": \"Announcement $n\", \"content\": \"To everyone\", \"tags\": [\"news\"]}"
  done | tail -5 | sort -n | awk 'NR == 3 {printf "%.1f", $1 * 1000}'
}

# "req/s p50 p99" under load; PATH_TEMPLATE set means random ids from IDS_FILE.
# AUTH set sends it as the Authorization header.
loaded() {
  local out headers=()
  [[ -n "${AUTH:-}" ]] && headers=(-H "Authorization: $AUTH")
  if [[ -n "${PATH_TEMPLATE:-}" ]]; then
    out=$(taskset -c 1 wrk --latency -t1 -c"$CONNECTIONS" -d"$DURATION" "${headers[@]}" -s bench/random_id.lua "$BENCH_URL")
  else
    out=$(taskset -c 1 wrk --latency -t1 -c"$CONNECTIONS" -d"$DURATION" "${headers[@]}" "$1")
  fi
  if grep -q "Non-2xx" <<<"$out"; then
    echo "non-2xx answers on $1" >&2
  fi
  awk '/Requests\/sec/ {rps = $2} $1 == "50%" {p50 = $2} $1 == "99%" {p99 = $2}
       END {printf "%s %s %s", rps, p50, p99}' <<<"$out"
}

measure_size() {
  local posts="$1"
  # REUSE_DATABASE=1 measures the database the last run seeded (one size).
  if [[ -z "${REUSE_DATABASE:-}" ]]; then
    seeded_database "$USERS" "$posts" "$posts"
  else
    psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c \
      "SELECT id FROM post WHERE status = 'published' ORDER BY random() LIMIT 5000" >"$IDS_FILE"
  fi
  psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" \
    -c "SELECT creator_id FROM post ORDER BY random() LIMIT 5000" >"$USER_IDS_FILE"
  start_server
  local celebrity avid reader celebrity_token avid_token reader_token
  celebrity=$(top_of user_followers)
  avid=$(top_of user_following)
  reader=$(psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c \
    "SELECT owner_id FROM list_count WHERE list_name = 'user_following' AND total = 20 LIMIT 1")
  celebrity_token=$(token_of "$celebrity")
  avid_token=$(token_of "$avid")
  reader_token=$(token_of "$reader")
  local post_id user_id cursor rare_tag
  rare_tag=$(psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c \
    "SELECT tag.name FROM tag JOIN list_count ON list_count.owner_id = tag.id
     WHERE list_name = 'tag_posts' GROUP BY tag.name HAVING sum(total) > 20
     ORDER BY sum(total), tag.name LIMIT 1")
  echo "rare tag at $posts posts: $rare_tag"
  post_id=$(head -1 "$IDS_FILE")
  user_id=$(head -1 "$USER_IDS_FILE")
  # The cursor after item 10,000 (after the 40th from the end of a smaller
  # list, so that a full page follows).
  local listed
  listed=$(curl -sf "$BENCH_URL/posts?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
  local depth=$((listed - 40 < 10000 ? listed - 40 : 10000))
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
    [my_feed]="$BENCH_URL/feed"
    [avid_feed]="$BENCH_URL/feed"
    [tag_common]="$BENCH_URL/posts?tag=$COMMON_TAG"
    [tag_rare]="$BENCH_URL/posts?tag=$rare_tag"
    [tags]="$BENCH_URL/tags"
    [favorites]="$BENCH_URL/users/$reader/favorites"
    [followers]="$BENCH_URL/users/$celebrity/followers"
  )
  declare -A auth=([my_feed]="$reader_token" [avid_feed]="$avid_token")
  declare -A template=(
    [post]="/posts/{id}" [comments]="/posts/{id}/comments" [user_posts]="/users/{id}/posts"
  )
  for route in "${ROUTES[@]}"; do
    local alone load
    # Under load first: every pooled connection then has the route's
    # statements prepared, as on a server that has been up a while (right
    # after another route's load, a lone request meets connections that
    # have not prepared them yet, and pays for it).
    if [[ $route == user_posts ]]; then
      load=$(IDS_FILE=$USER_IDS_FILE PATH_TEMPLATE="${template[$route]}" loaded "${url[$route]}")
    else
      load=$(AUTH="${auth[$route]:-}" PATH_TEMPLATE="${template[$route]:-}" loaded "${url[$route]}")
    fi
    alone=$(AUTH="${auth[$route]:-}" alone_ms "${url[$route]}")
    RESULT[$posts-$route]="$alone $load"
    echo "$posts posts, ${LABEL[$route]}: alone ${alone} ms; $CONNECTIONS connections: $load"
  done
  # The author with 50k followers posts; each follower's next feed shows it.
  local posted
  posted=$(post_ms "$celebrity_token")
  RESULT[$posts-celebrity_post]="$posted - - -"
  echo "$posts posts, POST /posts by the author with 50k followers: alone ${posted} ms"
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
LABEL[celebrity_post]="POST /posts (author with 50k followers)"
for route in "${ROUTES[@]}" celebrity_post; do
  printf '| %-32s |' "${LABEL[$route]}"
  for size in $SIZES; do
    read -r alone rps p50 p99 <<<"${RESULT[$size-$route]}"
    printf ' %s ms | %s | %s | %s |' "$alone" "$rps" "$p50" "$p99"
  done
  echo
done
