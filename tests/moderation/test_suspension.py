"""Suspension: every credential of the member is refused at once, and
works again (logging in anew) once it is lifted."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_api_key, create_post, login

pytestmark = pytest.mark.anyio


async def _conduit_token(client: AsyncClient, user: AuthUser) -> str:
    response = await client.post(
        "/api/users/login",
        json={"user": {"email": user.email, "password": user.password}},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["user"]["token"]
    return token


async def test_a_suspended_member_loses_every_credential_at_once(
    client: AsyncClient, user: AuthUser, moderator: AuthUser
) -> None:
    post = await create_post(client, user)
    key = await create_api_key(client, user, "posts:read")
    conduit = await _conduit_token(client, user)
    assert (await client.get("/feed", headers={"X-API-Key": key})).status_code == 200

    suspended = await client.put(
        f"/moderation/users/{user.id}/suspended",
        json={"reason": "Spam"},
        headers=moderator.headers,
    )

    assert suspended.status_code == 204
    for headers in (
        user.headers,
        {"Authorization": f"Bearer {key}"},
        {"X-API-Key": key},
    ):
        assert (await client.get("/feed", headers=headers)).status_code == 401
        # Public reads too: the credential is refused, not ignored.
        assert (await client.get("/posts", headers=headers)).status_code == 401
    me = await client.get("/auth/users/me", headers=user.headers)
    assert me.status_code == 401
    assert me.json()["detail"] == "This account is suspended"
    conduit_user = await client.get(
        "/api/user", headers={"Authorization": f"Token {conduit}"}
    )
    assert conduit_user.status_code == 401
    refreshed = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    assert refreshed.status_code == 401
    logged_in = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )
    assert logged_in.status_code == 401
    assert logged_in.json()["detail"] == "This account is suspended"
    conduit_login = await client.post(
        "/api/users/login",
        json={"user": {"email": user.email, "password": user.password}},
    )
    assert conduit_login.status_code == 401
    # Their content stays.
    assert (await client.get(f"/posts/{post['id']}")).status_code == 200


async def test_lifting_a_suspension_lets_them_back_in(
    client: AsyncClient, user: AuthUser, moderator: AuthUser, superuser: AuthUser
) -> None:
    key = await create_api_key(client, user, "posts:read")
    path = f"/moderation/users/{user.id}/suspended"
    await client.put(path, json={"reason": "Spam"}, headers=moderator.headers)
    listed = await client.get(
        "/admin/users", params={"suspended": "true"}, headers=superuser.headers
    )

    lifted = await client.delete(path, headers=moderator.headers)
    tokens = await login(client, user.username, user.password)

    assert lifted.status_code == 204
    assert [(u["id"], u["suspension_reason"]) for u in listed.json()["items"]] == [
        (user.id, "Spam")
    ]
    fresh = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get("/auth/users/me", headers=fresh)).status_code == 200
    assert (await client.get("/feed", headers={"X-API-Key": key})).status_code == 200
    # The sessions ended with the suspension stay ended.
    stale = await client.put("/auth/token", json={"refresh_token": user.refresh_token})
    assert stale.status_code == 401
    audit = await client.get(
        "/admin/audit", params={"target_id": user.id}, headers=superuser.headers
    )
    assert [(e["action"], e["reason"]) for e in audit.json()["items"]] == [
        ("user_unsuspended", None),
        ("user_suspended", "Spam"),
    ]


async def test_moderators_and_admins_cannot_be_suspended(
    client: AsyncClient, moderator: AuthUser, superuser: AuthUser
) -> None:
    for target in (moderator, superuser):
        refused = await client.put(
            f"/moderation/users/{target.id}/suspended", headers=moderator.headers
        )
        by_admin = await client.put(
            f"/moderation/users/{target.id}/suspended", headers=superuser.headers
        )
        assert (refused.status_code, by_admin.status_code) == (403, 403)
        assert refused.json()["detail"] == "Moderators and admins cannot be suspended"
        me = await client.get("/auth/users/me", headers=target.headers)
        assert me.status_code == 200


async def test_suspending_an_unknown_user_is_404(
    client: AsyncClient, moderator: AuthUser
) -> None:
    response = await client.put(
        "/moderation/users/00000000-0000-0000-0000-000000000001/suspended",
        headers=moderator.headers,
    )

    assert response.status_code == 404
