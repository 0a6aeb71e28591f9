"""API3:2023 Broken Object Property Level Authorization: mass assignment of
fields a client must not set (refused with 422, nothing changed), and fields
a reader must not see."""

from typing import Any

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


def _refused_fields(body: Any) -> set[str]:
    """The body fields a 422 names as unknown."""
    return {
        str(item["loc"][-1])
        for item in body["detail"]
        if item["type"] == "extra_forbidden"
    }


async def test_registration_refuses_privileged_fields(client: AsyncClient) -> None:
    payload = user_payload() | PRIVILEGED

    response = await client.post("/auth/users", json=payload)
    login = await client.post(
        "/auth/token",
        data={"username": payload["username"], "password": payload["password"]},
    )

    assert response.status_code == 422
    assert _refused_fields(response.json()) == set(PRIVILEGED)
    assert login.status_code == 401


async def test_profile_edits_cannot_raise_privileges_or_change_email(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.patch(
        "/auth/users/me",
        json=PRIVILEGED | {"email": "attacker@example.com", "first_name": "Eve"},
        headers=user.headers,
    )

    me = (await client.get("/auth/users/me", headers=user.headers)).json()
    assert response.status_code == 422
    assert _refused_fields(response.json()) == {*PRIVILEGED, "email"}
    assert me["is_superuser"] is False
    assert me["email_verified"] is False
    assert me["email"] == user.email
    assert me["first_name"] != "Eve"
    assert me["id"] == user.id


async def test_post_edits_cannot_move_or_recount_a_post(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.patch(
        f"/posts/{post['id']}",
        json={
            "title": "Moved",
            "creator_id": other_user.id,
            "comments_count": 99,
            "id": PRIVILEGED["id"],
        },
        headers=user.headers,
    )

    after = (await client.get(f"/posts/{post['id']}")).json()
    assert response.status_code == 422
    assert _refused_fields(response.json()) == {"creator_id", "comments_count", "id"}
    assert after == post


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
