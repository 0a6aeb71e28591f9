from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import User
from tests.factories import DEFAULT_PASSWORD, user_payload

pytestmark = pytest.mark.anyio


async def test_register_returns_the_private_user(
    client: AsyncClient, session: AsyncSession
) -> None:
    payload = user_payload(
        email="Ada.Lovelace@Example.com",
        age=36,
        favorite_band="AC/DC",
        website="https://ada.example.com/",
    )

    response = await client.post("/auth/users", json=payload)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["Location"] == f"/users/{body['id']}"
    assert body["email"] == "ada.lovelace@example.com"
    assert body["username"] == payload["username"]
    assert body["age"] == 36
    assert body["favorite_band"] == "AC/DC"
    assert body["website"] == "https://ada.example.com/"
    assert body["is_superuser"] is False
    assert body["email_verified"] is False
    assert body["created_at"].endswith("Z")
    assert body["updated_at"] is None
    assert "password" not in response.text
    assert "hashed_password" not in body
    stored = await session.get(User, UUID(body["id"]))
    assert stored is not None
    assert stored.hashed_password.startswith("$argon2id$")
    assert DEFAULT_PASSWORD not in stored.hashed_password


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "Sh0rt!"),
        ("password", "alllowercase1!"),
        ("password", "ALLUPPERCASE1!"),
        ("password", "NoDigitsHere!"),
        ("password", "NoSpecial123"),
        ("username", "ab"),
        ("username", "x" * 33),
        ("username", "has space"),
        ("username", "semi;colon"),
        ("email", "not-an-email"),
        ("first_name", ""),
        ("first_name", "x" * 129),
        ("age", 17),
        ("favorite_band", "NICKELBACK"),
        ("website", "not a url"),
        ("website", "javascript:alert(1)"),
        ("first_name", "nul\x00byte"),
        ("first_name", "Ada\r\nBcc: everyone@example.com"),
        ("first_name", "tab\there"),
    ],
)
async def test_register_rejects_invalid_fields(
    client: AsyncClient, field: str, value: Any
) -> None:
    response = await client.post("/auth/users", json=user_payload(**{field: value}))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", field]


async def test_weak_password_message_says_what_is_missing(client: AsyncClient) -> None:
    response = await client.post(
        "/auth/users", json=user_payload(password="alllowercase1!")
    )

    assert "one uppercase letter" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("missing", ["email", "username", "password", "first_name"])
async def test_register_requires_fields(client: AsyncClient, missing: str) -> None:
    payload = user_payload()
    del payload[missing]

    response = await client.post("/auth/users", json=payload)

    assert response.status_code == 422


async def test_duplicate_email_is_409_ignoring_case(client: AsyncClient) -> None:
    first = user_payload(email="dup@example.com")
    await client.post("/auth/users", json=first)

    response = await client.post(
        "/auth/users", json=user_payload(email="DUP@Example.COM")
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Email is already registered"}


async def test_duplicate_username_is_409_ignoring_case(client: AsyncClient) -> None:
    await client.post("/auth/users", json=user_payload(username="Grace_H"))

    response = await client.post("/auth/users", json=user_payload(username="grace_h"))

    assert response.status_code == 409
    assert response.json() == {"detail": "Username is already taken"}


async def test_failed_registration_keeps_nothing(
    client: AsyncClient, session: AsyncSession
) -> None:
    await client.post("/auth/users", json=user_payload(username="taken_name"))

    await client.post(
        "/auth/users",
        json=user_payload(username="TAKEN_NAME", email="second@example.com"),
    )

    assert (
        await session.scalar(select(User).where(User.email == "second@example.com"))
        is None
    )


async def test_server_owned_fields_in_the_body_never_take_effect(
    client: AsyncClient,
) -> None:
    payload = user_payload(
        id="00000000-0000-0000-0000-000000000001",
        is_superuser=True,
        email_verified=True,
        created_at="2000-01-01T00:00:00Z",
        hashed_password="x",
    )

    response = await client.post("/auth/users", json=payload)
    login = await client.post(
        "/auth/token",
        data={"username": payload["username"], "password": payload["password"]},
    )

    assert response.status_code == 422
    assert {item["loc"][-1] for item in response.json()["detail"]} == {
        "id",
        "is_superuser",
        "email_verified",
        "created_at",
        "hashed_password",
    }
    assert login.status_code == 401
