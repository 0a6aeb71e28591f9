"""Prometheus metrics: what the API serves, how fast, its database pool,
rate-limit refusals and jobs; `GET /metrics` in the text format.

With several worker processes (`serve --workers N`), each writes its values
to files in PROMETHEUS_MULTIPROC_DIR (which `serve` prepares) and a scrape
of any worker adds them all up; the files of dead workers' live gauges are
dropped at each scrape.
"""

import os
import re
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Response, status
from fastapi.routing import APIRoute
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from src.web.state import AppSettings

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

# Requests that matched no route share one label: paths are not labels.
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/posts/{post_id}`)."""
    route = scope.get("route")
    return route.path if isinstance(route, APIRoute) else UNMATCHED


def record_request(method: str, route: str, status_code: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status_code)).inc()
    DURATION.labels(method, route).observe(seconds)


def watch_pool(engine: AsyncEngine, size: int) -> None:
    """Keep the pool gauges for `engine`'s pool of `size` connections."""
    pool = engine.sync_engine.pool
    POOL_SIZE.inc(size)
    event.listen(pool, "checkout", lambda *_: POOL_CHECKED_OUT.inc())
    event.listen(pool, "checkin", lambda *_: POOL_CHECKED_OUT.dec())


def forget_pool(size: int) -> None:
    POOL_SIZE.dec(size)


_DB_FILE = re.compile(r"_(\d+)\.db$")


def _registry() -> CollectorRegistry:
    directory = os.environ.get(MULTIPROCESS_DIR)
    if not directory:
        return REGISTRY
    for path in Path(directory).glob("gauge_live*.db"):
        if (match := _DB_FILE.search(path.name)) and not _alive(int(match[1])):
            multiprocess.mark_process_dead(int(match[1]), directory)  # type: ignore[no-untyped-call]
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, directory)  # type: ignore[no-untyped-call]
    return registry


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _authorized(
    settings: AppSettings,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    token = settings.app.METRICS_TOKEN
    if token is None:
        return
    presented = (authorization or "").removeprefix("Bearer ")
    if not secrets.compare_digest(presented.encode(), token.encode()):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )


router = APIRouter()


@router.get(
    "/metrics",
    tags=["Health"],
    summary="Metrics",
    description="Prometheus text format. When the server sets METRICS_TOKEN, "
    "send it as `Authorization: Bearer <token>`.",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}},
        401: {"description": "METRICS_TOKEN is set and was not sent"},
    },
    dependencies=[Depends(_authorized)],
)
async def metrics() -> Response:
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
