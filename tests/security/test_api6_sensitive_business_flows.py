"""API6:2023 Unrestricted Access to Sensitive Business Flows: account
discovery through password reset, and replay of single-use tokens."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser
from tests.smtp import Inbox, link_token

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
