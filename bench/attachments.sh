#!/usr/bin/env bash
# Upload memory and throughput, local and S3 (moto's server as the store).
# Usage: bash bench/attachments.sh   (PostgreSQL on 127.0.0.1:5432, curl)
# UPLOADS=20 per run; sizes: the default limit (10 MiB) and 100 MiB.
cd "$(dirname "$0")/.."
source bench/common.sh
need curl
UPLOADS="${UPLOADS:-20}"
S3_PORT="${S3_PORT:-8078}"
WORK=$(mktemp -d)
trap 'kill $SERVER_PID $S3_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

server_peak_mib() {
  local pid
  pid=$(pgrep -n -f -- "--port $BENCH_PORT")
  awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$pid/status"
}

make_file() {  # a PNG signature, then random bytes: exactly $1 bytes
  printf '\x89PNG\r\n\x1a\n' >"$2"
  head -c $(($1 - 8)) /dev/urandom >>"$2"
}

sign_up() {
  curl -sf -o /dev/null -X POST "$BENCH_URL/auth/users" -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","username":"bench_user","password":"Bench-pass-123!","first_name":"Bench"}'
  TOKEN=$(curl -sf -X POST "$BENCH_URL/auth/token" -d 'username=bench_user&password=Bench-pass-123!' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
  POST_ID=$(curl -sf -X POST "$BENCH_URL/posts" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"title":"Files","content":"Uploads"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
}

# Prints "<label> <MiB/s> <peak RSS>" after $UPLOADS sequential uploads of $2.
upload_run() {
  local label="$1" file="$2" size start end codes
  size=$(stat -c %s "$file")
  start=$(date +%s.%N)
  codes=$(for _ in $(seq "$UPLOADS"); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
      -F "file=@$file;filename=bench.png" "$BENCH_URL/posts/$POST_ID/attachments"
  done | sort | uniq -c | tr '\n' ' ')
  end=$(date +%s.%N)
  awk -v l="$label" -v n="$UPLOADS" -v s="$size" -v a="$start" -v b="$end" -v p="$(server_peak_mib)" -v c="$codes" \
    'BEGIN {printf "%-34s %7.1f MiB/s   peak RSS %6s MiB   status: %s\n", l, n*s/1048576/(b-a), p, c}'
}

run_backend() {
  local backend="$1"
  for size_mib in 10 100; do
    fresh_database
    export MAX_UPLOAD_BYTES=$((size_mib * 1048576))
    make_file "$MAX_UPLOAD_BYTES" "$WORK/file.png"
    start_server
    sign_up
    echo "$backend: idle RSS $(server_rss_mib) MiB before uploads"
    upload_run "$backend, ${size_mib} MiB file (at the limit)" "$WORK/file.png"
    stop_server
  done
}

export STORAGE_BACKEND=local STORAGE_LOCAL_DIR="$WORK/storage"
run_backend local

taskset -c 1 uv run --frozen python -m moto.server -H 127.0.0.1 -p "$S3_PORT" >/tmp/bench-moto.log 2>&1 &
S3_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 0.1; done
export STORAGE_BACKEND=s3 AWS_S3_BUCKET=bench AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
curl -sf -X PUT "$AWS_ENDPOINT_URL/bench" >/dev/null
run_backend "s3 (moto)"
