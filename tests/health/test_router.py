import pytest
from httpx import AsyncClient

from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

UNREACHABLE_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
REDIS = "redis://127.0.0.1:6379/15"


async def test_liveness_answers_ok(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_liveness_does_not_touch_the_database(app_factory: AppFactory) -> None:
    app = app_factory(DATABASE_URL=UNREACHABLE_POSTGRES)

    async with app_client(app) as client:
        response = await client.get("/health")

    assert response.status_code == 200


async def test_readiness_ok_when_database_answers(client: AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_readiness_names_the_database_when_it_is_down(
    app_factory: AppFactory,
) -> None:
    app = app_factory(DATABASE_URL=UNREACHABLE_POSTGRES)

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "down"},
    }


async def test_readiness_checks_redis_when_configured(app_factory: AppFactory) -> None:
    app = app_factory(REDIS_URL=REDIS)

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readiness_names_redis_when_it_is_down(app_factory: AppFactory) -> None:
    app = app_factory(REDIS_URL=UNREACHABLE_REDIS)

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "down"}
