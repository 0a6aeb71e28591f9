#!/usr/bin/env bash
# Search on the embedded default (SQLite) at a million posts: GET /posts?q=
# for a word in no post, a rare one and a common one, alone (median of 5)
# and six at once (the slowest of the six), one serve worker with the
# default configuration. For comparison, the same rare search as a plain
# scan (`LIKE` on the lowercased copies, what the API ran before the FTS5
# index) straight on the same file, with sqlite3.
# Usage: bash bench/sqlite_search.sh   (POSTS=1000000 USERS=10000;
# REUSE_DATABASE=1 measures the file the previous run left)
cd "$(dirname "$0")/.."
source bench/common.sh
need sqlite3
POSTS="${POSTS:-1000000}"
USERS="${USERS:-10000}"
FILE="${FILE:-/tmp/bench-search.db}"
export DATABASE_URL="sqlite+aiosqlite:///$FILE"

if [[ -z "${REUSE_DATABASE:-}" ]]; then
  rm -f "$FILE" "$FILE-wal" "$FILE-shm"
  uv run --frozen python -m src.cli migrate >/dev/null 2>&1
  echo "seeding $USERS users and $POSTS posts into $FILE..."
  uv run --frozen python -m src.cli seed --users "$USERS" --posts "$POSTS" \
    --comments 0 --follows-per-user 0 --favorites-per-user 0 --random-seed 1 \
    2>/dev/null | tail -1
fi
start_server

alone_ms() {
  curl -sf -o /dev/null "$1"
  for _ in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "$1"; done |
    sort -n | awk 'NR == 3 {printf "%.1f", $1 * 1000}'
}

six_at_once_ms() {
  for _ in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{time_total}\n' "$1" & done |
    sort -n | tail -1 | awk '{printf "%.1f", $1 * 1000}'
}

echo
echo "SQLite, $POSTS posts, one serve worker (default configuration)"
echo "| search | matches | alone | slowest of six at once |"
echo "|---|---|---|---|"
for word in zqxjv quokka garden; do
  url="$BENCH_URL/posts?q=$word"
  total=$(curl -sf "$url" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
  echo "| \`?q=$word\` | $total | $(alone_ms "$url") ms | $(six_at_once_ms "$url") ms |"
done
started=$(date +%s.%N)
sqlite3 "$FILE" "SELECT count(*) FROM (SELECT id FROM post WHERE status = 'published'
  AND (lower(title) LIKE '%quokka%' OR lower(content) LIKE '%quokka%') LIMIT 10000)" >/dev/null
scan=$(echo "$(date +%s.%N) - $started" | bc)
echo "| \`?q=quokka\` as a scan (sqlite3, the count alone) | | ${scan} s | |"
