import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient, Response

from tests.factories import AuthUser, create_user, user_payload
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


@asynccontextmanager
async def _clients_from(
    app_factory: AppFactory, *addresses: str
) -> AsyncGenerator[list[AsyncClient]]:
    """Clients of one app (password changes limited to 2), one per address."""
    app = app_factory(RATE_LIMIT_ENABLED=True, RATE_LIMIT_PASSWORD_CHANGE="2/minute")
    async with LifespanManager(app) as manager, AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                AsyncClient(
                    transport=ASGITransport(app=manager.app, client=(address, 4000)),
                    base_url="https://test",
                )
            )
            for address in addresses
        ]


async def _change_password(client: AsyncClient, user: AuthUser) -> Response:
    return await client.put(
        "/auth/users/me/password",
        json={"current_password": "Wr0ng-guess!", "new_password": "N3w-password!"},
        headers=user.headers,
    )


async def test_password_change_is_limited_per_user_across_addresses(
    app_factory: AppFactory,
) -> None:
    async with _clients_from(app_factory, "10.0.0.1", "10.0.0.2") as (first, second):
        user = await create_user(first)

        statuses = [(await _change_password(first, user)).status_code for _ in range(2)]
        elsewhere = await _change_password(second, user)

    assert statuses == [400, 400]
    assert elsewhere.status_code == 429
    assert int(elsewhere.headers["Retry-After"]) >= 1


async def test_password_change_is_limited_per_address_across_users(
    app_factory: AppFactory,
) -> None:
    async with _clients_from(app_factory, "10.0.0.3") as (client,):
        users = [await create_user(client), await create_user(client)]

        statuses = [
            (await _change_password(client, users[0])).status_code for _ in range(2)
        ]
        other_user = await _change_password(client, users[1])

    assert statuses == [400, 400]
    assert other_user.status_code == 429
