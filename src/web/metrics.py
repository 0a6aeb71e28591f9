"""`GET /metrics`: the metrics of `src.metrics` in Prometheus' text format,
summed over every worker process (the files of dead workers' live gauges
are dropped at each scrape), and what the access middleware records.
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
    generate_latest,
    multiprocess,
)
from starlette.types import Scope

from src.metrics import DURATION, MULTIPROCESS_DIR, REQUESTS
from src.schemas import ErrorResponse
from src.web.dependencies import AppSettings

# Requests that matched no route share one label: paths are not labels.
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/posts/{post_id}`)."""
    route = scope.get("route")
    return route.path if isinstance(route, APIRoute) else UNMATCHED


def record_request(method: str, route: str, status_code: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status_code)).inc()
    DURATION.labels(method, route).observe(seconds)


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
        401: {
            "model": ErrorResponse,
            "description": "METRICS_TOKEN is set and was not sent",
        },
    },
    dependencies=[Depends(_authorized)],
)
async def metrics() -> Response:
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
