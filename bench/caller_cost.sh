#!/usr/bin/env bash
# bench/caller_cost.py on an earlier commit and on this tree, in turns
# (before, after, before, after...), each on the database its own code
# migrated and seeded: bench/versions.sh leaves them (bench_publishing_before
# and bench_publishing). Prints each run, then the medians side by side.
# Usage: bash bench/caller_cost.sh REF   (after bash bench/versions.sh REF)
# TURNS=3; REQUESTS and ROUNDS go to bench/caller_cost.py.
set -euo pipefail
cd "$(dirname "$0")/.."
REF="${1:?usage: bash bench/caller_cost.sh REF}"
TURNS="${TURNS:-3}"
PG=postgresql+asyncpg://postgres@127.0.0.1:5432
BEFORE_DIR=$(mktemp -d /tmp/bench-caller-XXXXXX)
trap 'git worktree remove --force "$BEFORE_DIR"' EXIT
git worktree add --detach -q "$BEFORE_DIR" "$REF"
# This tree's scripts, run on the earlier code.
cp bench/caller_cost.py bench/request_path.py "$BEFORE_DIR/bench/"
(cd "$BEFORE_DIR" && uv sync --frozen -q)
runs=()
for turn in $(seq "$TURNS"); do
  before=$(cd "$BEFORE_DIR" && DATABASE_URL=$PG/bench_publishing_before \
    taskset -c 0 uv run --frozen python -m bench.caller_cost 2>/dev/null)
  after=$(DATABASE_URL=$PG/bench_publishing taskset -c 0 uv run --frozen \
    python -m bench.caller_cost 2>/dev/null)
  echo "turn $turn before: $before"
  echo "turn $turn after:  $after"
  runs+=("{\"before\": $before, \"after\": $after}")
done
printf '%s\n' "${runs[@]}" | python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
print("| CPU per request (us), medians | before | after | change |")
print("|---|---|---|---|")
for case in runs[0]["before"]:
    b = statistics.median(r["before"][case] for r in runs)
    a = statistics.median(r["after"][case] for r in runs)
    print(f"| {case} | {b:.0f} | {a:.0f} | {100 * (a / b - 1):+.1f}% |")
'
