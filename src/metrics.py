"""The application's Prometheus metrics: what the API serves, its database
pool, rate-limit refusals and jobs. Defined here, below the web layer and
the jobs, so both record into them; `GET /metrics` (src/web/metrics.py)
serves them.

With several worker processes (`serve --workers N`), each writes its values
to files in PROMETHEUS_MULTIPROC_DIR (which `serve` prepares) and a scrape
of any worker adds them all up.
"""

from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
IN_FLIGHT = Gauge(
    "http_requests_in_flight",
    "HTTP requests being answered.",
    multiprocess_mode="livesum",
)
STREAMS_OPEN = Gauge(
    "http_event_streams_open",
    "Event streams (text/event-stream) open; detached by serve, not in flight.",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "db_pool_connections_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "db_pool_size",
    "Connections each pool keeps (without overflow), summed over workers.",
    multiprocess_mode="livesum",
)
RATE_LIMITED = Counter(
    "rate_limit_refusals_total",
    "Requests refused with 429, by limit.",
    ["limit"],
)
JOBS = Counter(
    "jobs_total",
    "Job attempts, by job and outcome (done, retry, failed).",
    ["job", "outcome"],
)


def watch_pool(engine: AsyncEngine, size: int) -> None:
    """Keep the pool gauges for `engine`'s pool of `size` connections."""
    pool = engine.sync_engine.pool
    POOL_SIZE.inc(size)
    event.listen(pool, "checkout", _checked_out)
    event.listen(pool, "checkin", _checked_in)


# Set on a connection's record while the gauge counts it as checked out.
_COUNTED = "metrics_checked_out"


def _checked_out(_: object, record: Any, __: object) -> None:
    record.record_info[_COUNTED] = True
    POOL_CHECKED_OUT.inc()


def _checked_in(_: object, record: Any) -> None:
    # A record is checked in also when its checkout failed (the database
    # refused the connection): only what was counted out comes back in, or
    # the gauge sinks below zero with every refused connection.
    if record is not None and record.record_info.pop(_COUNTED, False):
        POOL_CHECKED_OUT.dec()


def forget_pool(size: int) -> None:
    POOL_SIZE.dec(size)
