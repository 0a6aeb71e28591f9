import uuid
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from tests.factories import user_payload
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["memory", "redis"])
async def limited_client(
    request: pytest.FixtureRequest, app_factory: AppFactory
) -> AsyncIterator[AsyncClient]:
    overrides: dict[str, object] = {
        "RATE_LIMIT_ENABLED": True,
        "RATE_LIMIT_LOGIN": "3/minute",
        "RATE_LIMIT_REGISTER": "2/minute",
        "RATE_LIMIT_PASSWORD_RESET": "2/hour",
    }
    if request.param == "redis":
        # A fresh key namespace: counters of earlier runs do not count.
        overrides |= {
            "REDIS_URL": REDIS_URL,
            "RATE_LIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    async with app_client(app_factory(**overrides)) as client:
        yield client


async def test_login_is_limited_per_client(limited_client: AsyncClient) -> None:
    form = {"username": "nobody", "password": "Wr0ng-password!"}

    statuses = [
        (await limited_client.post("/auth/token", data=form)).status_code
        for _ in range(4)
    ]

    assert statuses == [401, 401, 401, 429]
    limited = await limited_client.post("/auth/token", data=form)
    assert limited.json() == {"detail": "Too many requests"}
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


async def test_registration_is_limited(limited_client: AsyncClient) -> None:
    statuses = [
        (await limited_client.post("/auth/users", json=user_payload())).status_code
        for _ in range(3)
    ]

    assert statuses == [201, 201, 429]


async def test_password_reset_is_limited(limited_client: AsyncClient) -> None:
    body = {"email": "someone@example.com"}

    statuses = [
        (await limited_client.post("/auth/password-reset", json=body)).status_code
        for _ in range(3)
    ]

    assert statuses == [202, 202, 429]


async def test_limits_are_off_when_disabled(app_factory: AppFactory) -> None:
    app = app_factory(RATE_LIMIT_ENABLED=False, RATE_LIMIT_LOGIN="1/minute")
    form = {"username": "nobody", "password": "Wr0ng-password!"}

    async with app_client(app) as client:
        statuses = {
            (await client.post("/auth/token", data=form)).status_code for _ in range(3)
        }

    assert statuses == {401}


async def test_redis_down_fails_open(app_factory: AppFactory) -> None:
    app = app_factory(
        RATE_LIMIT_ENABLED=True,
        RATE_LIMIT_LOGIN="1/minute",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    form = {"username": "nobody", "password": "Wr0ng-password!"}

    async with app_client(app) as client:
        statuses = [
            (await client.post("/auth/token", data=form)).status_code for _ in range(3)
        ]

    assert statuses == [401, 401, 401]
