"""Changing the account's email address: the new address gets a link, the
current one a notice, and the address changes only when the link is used."""

import pytest
from httpx import AsyncClient

from src.mail.client import plain_text
from tests.factories import AuthUser, create_user, login, user_payload
from tests.smtp import Inbox, link_of, link_token

pytestmark = pytest.mark.anyio

NEW_EMAIL = "Moved.Here@Example.com"


async def _me(client: AsyncClient, user: AuthUser) -> dict[str, object]:
    me: dict[str, object] = (
        await client.get("/auth/users/me", headers=user.headers)
    ).json()
    return me


async def _ask(client: AsyncClient, user: AuthUser, **body: str) -> int:
    response = await client.put(
        "/auth/users/me/email",
        headers=user.headers,
        json={"new_email": NEW_EMAIL, "password": user.password} | body,
    )
    return response.status_code


async def test_the_new_address_gets_a_link_and_the_old_one_a_notice(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    response = await client.put(
        "/auth/users/me/email",
        headers=user.headers,
        json={"new_email": NEW_EMAIL, "password": user.password},
    )

    assert response.status_code == 202
    assert response.json() == {
        "detail": "A confirmation link was sent to the new address"
    }
    (confirmation,) = smtp_inbox.to(NEW_EMAIL.lower())
    assert confirmation["Subject"] == "Confirm your new email address"
    assert link_of(confirmation, "change-email")
    (notice,) = [
        m for m in smtp_inbox.to(user.email) if m["Subject"].startswith("Your email")
    ]
    assert NEW_EMAIL.lower() in plain_text(notice)
    assert "token=" not in plain_text(notice)
    # Nothing changes until the link is used.
    assert (await _me(client, user))["email"] == user.email


async def test_using_the_link_changes_the_address_verified(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    old_link = link_token(smtp_inbox.to(user.email)[0], "verify-email")
    assert await _ask(client, user) == 202
    token = link_token(smtp_inbox.to(NEW_EMAIL.lower())[0], "change-email")

    response = await client.post("/auth/email-change/confirm", json={"token": token})

    assert response.status_code == 204
    me = await _me(client, user)
    assert me["email"] == NEW_EMAIL.lower()
    assert me["email_verified"] is True
    await login(client, NEW_EMAIL.lower(), user.password)
    # Links sent to the former address no longer work, nor this one again.
    stale = await client.post("/auth/verify-email/confirm", json={"token": old_link})
    assert stale.status_code == 400
    again = await client.post("/auth/email-change/confirm", json={"token": token})
    assert again.status_code == 400


async def test_a_wrong_password_changes_nothing_and_sends_nothing(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    sent = len(smtp_inbox.messages)

    response = await client.put(
        "/auth/users/me/email",
        headers=user.headers,
        json={"new_email": NEW_EMAIL, "password": "Not-the-passw0rd"},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "Current password is incorrect"}
    assert len(smtp_inbox.messages) == sent


async def test_an_address_another_account_has_is_409(
    client: AsyncClient, user: AuthUser
) -> None:
    other = await create_user(client)

    assert await _ask(client, user, new_email=other.email.upper()) == 409
    assert await _ask(client, user, new_email=user.email) == 409


async def test_an_address_taken_before_the_link_is_used_is_409_and_keeps_the_old(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    assert await _ask(client, user) == 202
    token = link_token(smtp_inbox.to(NEW_EMAIL.lower())[0], "change-email")
    registered = await client.post(
        "/auth/users", json=user_payload(email=NEW_EMAIL.lower())
    )
    assert registered.status_code == 201

    response = await client.post("/auth/email-change/confirm", json={"token": token})

    assert response.status_code == 409
    assert response.json() == {"detail": "Email is already registered"}
    assert (await _me(client, user))["email"] == user.email


@pytest.mark.parametrize(
    "body",
    [{"new_email": "not-an-address"}, {"password": ""}, {"new_email": "a@b.c" * 70}],
)
async def test_a_malformed_request_is_422(
    client: AsyncClient, user: AuthUser, body: dict[str, str]
) -> None:
    assert await _ask(client, user, **body) == 422


async def test_changing_the_address_needs_a_token(client: AsyncClient) -> None:
    response = await client.put(
        "/auth/users/me/email", json={"new_email": NEW_EMAIL, "password": "x"}
    )

    assert response.status_code == 401
