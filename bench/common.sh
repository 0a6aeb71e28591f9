# Shared by the bench/ scripts: a throw-away PostgreSQL database and one
# worker of the production command (`serve`) on 127.0.0.1, pinned to CPU 0
# (wrk runs on CPU 1). Settings are the defaults users get, except the
# database URL and rate limits (a benchmark is one client hammering).
set -euo pipefail

BENCH_PG="${BENCH_PG:-postgresql+asyncpg://postgres@127.0.0.1:5432}"
BENCH_DB="${BENCH_DB:-bench_publishing}"
BENCH_PORT="${BENCH_PORT:-8077}"
BENCH_URL="http://127.0.0.1:$BENCH_PORT"
export DATABASE_URL="$BENCH_PG/$BENCH_DB"
export RATE_LIMIT_ENABLED=false

need() { command -v "$1" >/dev/null || { echo "needs $1 (apt-get install $1)" >&2; exit 1; }; }

fresh_database() {
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$BENCH_DB\" WITH (FORCE)"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE \"$BENCH_DB\""
  uv run --frozen python -m src.cli migrate >/dev/null 2>&1
}

# A fresh, seeded, analysed database and IDS_FILE filled with 5000 random post
# ids. Usage: seeded_database USERS POSTS COMMENTS; SEED_ARGS adds to the
# seed command's arguments (follows, favorites).
seeded_database() {
  fresh_database
  echo "seeding $1 users, $2 posts, $3 comments ${SEED_ARGS:-}..."
  # shellcheck disable=SC2086
  uv run --frozen python -m src.cli seed --users "$1" --posts "$2" \
    --comments "$3" --random-seed 1 ${SEED_ARGS:-} 2>/dev/null | tail -1
  psql -q -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c "VACUUM ANALYZE"
  # Published posts only: a draft is a 404 to others.
  psql -At -h 127.0.0.1 -U postgres -d "$BENCH_DB" \
    -c "SELECT id FROM post WHERE status = 'published' ORDER BY random() LIMIT 5000" \
    >"$IDS_FILE"
}

# For the scripts that compare two servers on GET /posts/{id} in interleaved
# rounds (edge, metrics, tracing): seeds USERS (1000) users and POSTS (10000)
# posts, and sets DURATION (default $1), CONNECTIONS (64), ROUNDS (3) and
# wrk_args. Usage: post_reads_setup DEFAULT_DURATION
post_reads_setup() {
  need wrk
  need psql
  DURATION="${DURATION:-$1}"
  CONNECTIONS="${CONNECTIONS:-64}"
  ROUNDS="${ROUNDS:-3}"
  export IDS_FILE=/tmp/bench-post-ids.txt
  export PATH_TEMPLATE="/posts/{id}"
  seeded_database "${USERS:-1000}" "${POSTS:-10000}" 0
  wrk_args=(-t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/random_id.lua "$BENCH_URL")
}

# Registers a bench user and exports BENCH_TOKEN and BENCH_USER_ID.
bench_user() {
  curl -sf -o /dev/null -X POST "$BENCH_URL/auth/users" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","username":"bench_user","password":"Bench-pass-123!","first_name":"Bench"}'
  BENCH_TOKEN=$(curl -sf -X POST "$BENCH_URL/auth/token" -d 'username=bench_user&password=Bench-pass-123!' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  BENCH_USER_ID=$(curl -sf "$BENCH_URL/auth/users/me" -H "Authorization: Bearer $BENCH_TOKEN" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
  export BENCH_TOKEN BENCH_USER_ID
}

# The API as operators install it (docs/operations.md): without the
# development tools, bytecode compiled, in an environment of its own
# (.venv-production) kept in step with uv.lock.
PRODUCTION=(env UV_PROJECT_ENVIRONMENT="$PWD/.venv-production" uv run --frozen --no-dev)

# The API as operators run it: `serve`, one worker. SERVER_PID is its pid.
start_server() {
  UV_PROJECT_ENVIRONMENT="$PWD/.venv-production" \
    uv sync --quiet --frozen --no-dev --compile-bytecode
  taskset -c 0 "${PRODUCTION[@]}" python -m src.cli serve --no-migrate \
    --port "$BENCH_PORT" "$@" >/tmp/bench-server.log 2>&1 &
  wait_for_server "$BENCH_URL"
}

# Any other ASGI app (the ceiling, which writes no access line by design: it
# is the request path without our layers), on the same core; on BENCH_PORT unless
# APP_PORT says otherwise.
start_server_app() {
  local app="$1"; shift
  local port="${APP_PORT:-$BENCH_PORT}"
  taskset -c 0 uv run --frozen uvicorn "$app" --host 127.0.0.1 --port "$port" \
    --no-access-log "$@" >"/tmp/bench-server-$port.log" 2>&1 &
  wait_for_server "http://127.0.0.1:$port"
}

SERVER_PIDS=()
trap 'kill "${SERVER_PIDS[@]}" 2>/dev/null || true' EXIT

wait_for_server() {
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1/" && return
    sleep 0.1
  done
  echo "server did not start" >&2; cat /tmp/bench-server*.log >&2; exit 1
}

stop_server() {
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
}

server_rss_mib() {
  # uv run execs python; the worker is the newest python child of that tree.
  local pid
  pid=$(pgrep -n -f -- "--port $BENCH_PORT")
  awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status"
}

# wrk with latency percentiles; prints "name req/s p50 p99".
run_wrk() {
  local name="$1"; shift
  local out
  out=$(taskset -c 1 wrk --latency "$@")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%-28s %10s req/s   p50 %-9s p99 %-9s %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
}

# The requests/s of a run_wrk line, and the median of numbers on stdin.
rps() { awk '{for (i = 2; i <= NF; i++) if ($i == "req/s") print $(i - 1)}' <<<"$1"; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# Alternating runs, for the scripts that compare two sides (two versions,
# two APIs) on the same cases: ROUNDS rounds of every case in CASES, each
# side in SIDES in turn, each run by the script's `run_case SIDE CASE`
# (which prints a run_wrk line). Prints every run; `median_rps SIDE CASE`
# then gives that side's median requests/s on that case.
declare -A RUNS
interleaved_runs() {
  local round case_name side line
  for round in $(seq "$ROUNDS"); do
    for case_name in "${CASES[@]}"; do
      for side in "${SIDES[@]}"; do
        line=$(run_case "$side" "$case_name")
        echo "round $round $side: $line"
        RUNS[$side-$case_name]+="$(rps "$line") "
      done
    done
  done
}
median_rps() { tr ' ' '\n' <<<"${RUNS[$1-$2]}" | grep . | median; }
