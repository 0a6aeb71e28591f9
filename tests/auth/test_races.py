"""Concurrent requests on real, separately committed transactions."""

import asyncio

import pytest
from httpx import AsyncClient

from tests.factories import create_user, user_payload

pytestmark = pytest.mark.anyio


async def test_concurrent_registrations_of_one_email_give_one_201(
    committing_client: AsyncClient,
) -> None:
    # Under AUTH_PASSWORD_HASH_QUEUE (32): past it, registrations get 503.
    payloads = [user_payload(email="race@example.com") for _ in range(30)]

    responses = await asyncio.gather(
        *(committing_client.post("/auth/users", json=p) for p in payloads)
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 29


async def test_concurrent_refreshes_of_one_token_let_at_most_one_through(
    committing_client: AsyncClient,
) -> None:
    user = await create_user(committing_client)
    body = {"refresh_token": user.refresh_token}

    responses = await asyncio.gather(
        *(committing_client.put("/auth/token", json=body) for _ in range(20))
    )

    statuses = [r.status_code for r in responses]
    assert statuses.count(200) <= 1
    assert set(statuses) <= {200, 401}
