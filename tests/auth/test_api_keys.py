"""API keys: shown once and stored hashed, within their scopes, never
managing the account, revoked at once, gone with the account."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from src.auth.models import ApiKey
from tests.factories import AuthUser, create_api_key, create_post
from tests.utils import StatementCounter

pytestmark = pytest.mark.anyio

ALL_SCOPES = [
    "comments:write",
    "follows:write",
    "notifications:read",
    "notifications:write",
    "posts:read",
    "posts:write",
]


async def test_a_key_is_shown_once_and_stored_as_a_hash(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    created = await client.post(
        "/auth/users/me/api-keys",
        json={"name": "Nightly import", "scopes": ["posts:write", "posts:read"]},
        headers=user.headers,
    )
    listed = await client.get("/auth/users/me/api-keys", headers=user.headers)

    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith("pk_")
    assert len(key) >= 3 + 43  # 32 random bytes, URL-safe base64
    assert body["prefix"] == key[:10]
    assert body["scopes"] == ["posts:read", "posts:write"]
    assert body["last_used_at"] is None
    assert listed.json() == [{k: v for k, v in body.items() if k != "key"}]
    stored = (await session.scalars(select(ApiKey))).one()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, stored.prefix, stored.name}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": " ", "scopes": ["posts:read"]},
        {"name": "x", "scopes": ["posts:read"], "expires_at": "2000-01-01T00:00:00Z"},
    ],
)
async def test_bad_keys_are_refused(
    client: AsyncClient, user: AuthUser, body: dict[str, object]
) -> None:
    response = await client.post(
        "/auth/users/me/api-keys", json=body, headers=user.headers
    )

    assert response.status_code == 422
    listed = await client.get("/auth/users/me/api-keys", headers=user.headers)
    assert listed.json() == []


async def test_a_key_acts_for_its_user_within_its_scopes(
    client: AsyncClient, user: AuthUser
) -> None:
    key = await create_api_key(client, user, "posts:read", "posts:write")
    by_bearer = {"Authorization": f"Bearer {key}"}

    created = await client.post(
        "/posts", json={"title": "By script", "content": "c"}, headers=by_bearer
    )
    drafts = await client.get("/auth/users/me/drafts", headers={"X-API-Key": key})
    comment = await client.post(
        f"/posts/{created.json()['id']}/comments",
        json={"content": "no"},
        headers=by_bearer,
    )

    assert created.status_code == 201
    assert created.json()["creator_id"] == user.id
    assert drafts.status_code == 200
    assert comment.status_code == 403
    assert comment.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="comments:write"'
    )
    assert comment.json()["detail"] == "This API key's scopes do not allow this"
    listed = await client.get(f"/posts/{created.json()['id']}/comments")
    assert listed.json()["total"] == 0


async def test_a_key_never_manages_the_account(
    client: AsyncClient, user: AuthUser
) -> None:
    key = await create_api_key(client, user, *ALL_SCOPES)
    headers = {"X-API-Key": key}

    for method, path, body in (
        ("GET", "/auth/users/me", None),
        ("PATCH", "/auth/users/me", {"bio": "changed"}),
        (
            "PUT",
            "/auth/users/me/password",
            {"current_password": "x", "new_password": "y"},
        ),
        (
            "PUT",
            "/auth/users/me/email",
            {"new_email": "a@example.com", "password": "x"},
        ),
        ("DELETE", "/auth/users/me", None),
        ("DELETE", "/auth/users/me/tokens", None),
        ("POST", "/auth/users/me/api-keys", {"name": "x", "scopes": ["posts:read"]}),
        ("GET", "/auth/users/me/api-keys", None),
        ("GET", "/admin/audit", None),
        ("PUT", f"/moderation/users/{user.id}/suspended", None),
    ):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["detail"] == (
            "Managing the account takes a signed-in session, not an API key"
        )
    me = await client.get("/auth/users/me", headers=user.headers)
    assert me.json()["bio"] == ""


async def test_a_revoked_or_expired_key_is_refused_at_once(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    revoked = await create_api_key(client, user, "posts:read")
    expiring = await create_api_key(
        client,
        user,
        "posts:read",
        expires_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    )
    key_id = (await client.get("/auth/users/me/api-keys", headers=user.headers)).json()[
        1
    ]["id"]

    deleted = await client.delete(
        f"/auth/users/me/api-keys/{key_id}", headers=user.headers
    )
    await session.execute(
        update(ApiKey).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    again = await client.delete(
        f"/auth/users/me/api-keys/{key_id}", headers=user.headers
    )

    assert deleted.status_code == 204
    assert again.status_code == 404
    for key in (revoked, expiring, "pk_not-a-key"):
        response = await client.get("/feed", headers={"X-API-Key": key})
        assert response.status_code == 401, key


async def test_others_cannot_revoke_your_key(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    key = await create_api_key(client, user, "posts:read")
    key_id = (await client.get("/auth/users/me/api-keys", headers=user.headers)).json()[
        0
    ]["id"]

    response = await client.delete(
        f"/auth/users/me/api-keys/{key_id}", headers=other_user.headers
    )

    assert response.status_code == 404
    assert (await client.get("/feed", headers={"X-API-Key": key})).status_code == 200


async def test_last_used_is_kept_without_a_write_per_request(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    key = await create_api_key(client, user, "posts:read")
    headers = {"X-API-Key": key}

    with StatementCounter(connection) as first_use:
        assert (await client.get("/feed", headers=headers)).status_code == 200
    with StatementCounter(connection) as by_key:
        assert (await client.get("/feed", headers=headers)).status_code == 200
    with StatementCounter(connection) as by_token:
        assert (await client.get("/feed", headers=user.headers)).status_code == 200
    listed = await client.get("/auth/users/me/api-keys", headers=user.headers)

    used = datetime.fromisoformat(listed.json()[0]["last_used_at"])
    assert abs(datetime.now(UTC) - used) < timedelta(minutes=1)
    # The key is looked up in one statement, as an access token's user is;
    # the first use also records the time, the next within the minute not.
    assert by_key.count == by_token.count
    assert first_use.count > by_key.count


async def test_keys_die_with_a_password_change_only_if_asked(
    client: AsyncClient, user: AuthUser
) -> None:
    key = await create_api_key(client, user, "posts:read")
    new_password = "N3w-password!"
    kept = await client.put(
        "/auth/users/me/password",
        json={"current_password": user.password, "new_password": new_password},
        headers=user.headers,
    )
    alive = await client.get("/feed", headers={"X-API-Key": key})
    revoked = await client.put(
        "/auth/users/me/password",
        params={"revoke_api_keys": "true"},
        json={"current_password": new_password, "new_password": user.password},
        headers=user.headers,
    )

    assert (kept.status_code, alive.status_code) == (204, 200)
    assert revoked.status_code == 204
    assert (await client.get("/feed", headers={"X-API-Key": key})).status_code == 401


async def test_keys_go_with_the_account(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    key = await create_api_key(client, user, "posts:read")
    await create_post(client, user)

    deleted = await client.request(
        "DELETE",
        "/auth/users/me",
        json={"password": user.password},
        headers=user.headers,
    )

    assert deleted.status_code == 204
    assert (await client.get("/feed", headers={"X-API-Key": key})).status_code == 401
    assert (await session.scalars(select(ApiKey))).all() == []
