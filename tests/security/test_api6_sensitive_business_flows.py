"""API6:2023 Unrestricted Access to Sensitive Business Flows: account
discovery through password reset, and replay of single-use tokens."""

import json

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.types import Message

from tests.factories import AuthUser
from tests.smtp import Inbox, link_token
from tests.utils import AppFactory, StatementCounter, http_scope

pytestmark = pytest.mark.anyio


async def test_password_reset_does_not_reveal_whether_an_account_exists(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    known = await client.post("/auth/password-reset", json={"email": user.email})
    unknown = await client.post(
        "/auth/password-reset", json={"email": "nobody@example.com"}
    )

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    resets = [m for m in smtp_inbox.to(user.email) if "Reset" in m["Subject"]]
    assert len(resets) == 1
    assert smtp_inbox.to("nobody@example.com") == []


async def _statements_before_the_answer(
    app: FastAPI, connection: AsyncConnection, email: str
) -> tuple[int, int]:
    """Statements run before the response starts, and in all, for a reset."""
    body = json.dumps({"email": email}).encode()
    scope = http_scope(
        "POST",
        "/auth/password-reset",
        [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    received = False
    before = 0

    async def receive() -> Message:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    with StatementCounter(connection) as counter:

        async def send(message: Message) -> None:
            nonlocal before
            if message["type"] == "http.response.start":
                assert message["status"] == 202
                before = counter.count

        async with LifespanManager(app) as manager:
            await manager.app(scope, receive, send)
    return before, counter.count


async def test_a_reset_answers_before_looking_the_address_up(
    app_factory: AppFactory, connection: AsyncConnection, user: AuthUser
) -> None:
    # The answer cannot depend on the account, in content or in time: it
    # records a job and is sent; the lookup is the job's, for a known address
    # or not.
    known = await _statements_before_the_answer(app_factory(), connection, user.email)
    unknown = await _statements_before_the_answer(
        app_factory(), connection, "nobody@example.com"
    )

    assert known[0] == unknown[0] > 0
    assert known[1] > unknown[1] > unknown[0]


async def test_a_reset_token_works_once(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    await client.post("/auth/password-reset", json={"email": user.email})
    token = link_token(smtp_inbox.to(user.email)[-1], "reset-password")
    new_password = "N3w-passw0rd!"

    first = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": new_password},
    )
    replay = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": "An0ther-passw0rd!"},
    )

    assert first.status_code == 204
    assert replay.status_code == 400
    login = await client.post(
        "/auth/token", data={"username": user.username, "password": new_password}
    )
    assert login.status_code == 200
