#!/usr/bin/env bash
# Background jobs, one worker: jobs/s (no-op, email to a local SMTP sink) and
# the time from a password-reset request to its email. See bench/jobs.py.
# Usage: bash bench/jobs.sh   (PostgreSQL on 127.0.0.1:5432, Redis on 6379)
cd "$(dirname "$0")/.."
source bench/common.sh
need psql
need redis-cli
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
fresh_database
uv run --frozen python -m bench.jobs
