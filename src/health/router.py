from fastapi import APIRouter, Request, Response, status

from src.health import service
from src.health.schemas import HealthResponse, ReadinessResponse
from src.web.state import app_state

router = APIRouter(prefix="/health", tags=["Health"])


@router.get(
    "",
    summary="Liveness probe",
    description="Answers without touching the database or any other dependency.",
)
async def liveness() -> HealthResponse:
    return HealthResponse()


@router.get(
    "/ready",
    summary="Readiness probe",
    description="200 when every dependency in use answers: the database, the "
    "file store (a bucket check on S3, a written file on local disk) and Redis "
    "if configured; 503 naming what is down otherwise.",
    responses={
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": ReadinessResponse,
            "description": "A dependency is down",
        }
    },
)
async def readiness(request: Request, response: Response) -> ReadinessResponse:
    state = app_state(request)
    results = await service.check_dependencies(state.engine, state.redis, state.storage)
    ready = all(results.values())
    if not ready:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return ReadinessResponse(
        status="ok" if ready else "unavailable",
        checks={name: "ok" if ok else "down" for name, ok in results.items()},
    )
