"""API3:2023 Broken Object Property Level Authorization: mass assignment of
fields a client must not set, and fields a reader must not see."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_comment, create_post, user_payload

pytestmark = pytest.mark.anyio

PRIVILEGED = {
    "is_superuser": True,
    "email_verified": True,
    "id": "00000000-0000-4000-8000-000000000000",
    "created_at": "2000-01-01T00:00:00Z",
    "hashed_password": "x",
}


async def test_registration_ignores_privileged_fields(client: AsyncClient) -> None:
    response = await client.post("/auth/users", json=user_payload() | PRIVILEGED)

    body = response.json()
    assert response.status_code == 201
    assert body["is_superuser"] is False
    assert body["email_verified"] is False
    assert body["id"] != PRIVILEGED["id"]
    assert "hashed_password" not in body


async def test_profile_edits_cannot_raise_privileges_or_change_email(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me",
        json=PRIVILEGED | {"email": "attacker@example.com"},
        headers=user.headers,
    )

    me = (await client.get("/auth/users/me", headers=user.headers)).json()
    assert response.status_code == 200
    assert me["is_superuser"] is False
    assert me["email_verified"] is False
    assert me["email"] == user.email
    assert me["id"] == user.id


async def test_post_edits_cannot_move_or_recount_a_post(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)

    await client.patch(
        f"/posts/{post['id']}",
        json={
            "creator_id": other_user.id,
            "comments_count": 99,
            "id": PRIVILEGED["id"],
        },
        headers=user.headers,
    )

    after = (await client.get(f"/posts/{post['id']}")).json()
    assert after["creator_id"] == user.id
    assert after["comments_count"] == 0


async def test_readers_never_see_private_fields(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)

    bodies = [
        (await client.get(f"/users/{user.id}")).text,
        (await client.get(f"/users/{user.id}/posts")).text,
        (await client.get(f"/posts/{post['id']}")).text,
        (await client.get(f"/posts/{post['id']}/comments")).text,
        (await client.get("/posts")).text,
    ]

    for body in bodies:
        for secret in (user.email, other_user.email, "is_superuser", "password"):
            assert secret not in body
