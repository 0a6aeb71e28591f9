"""Admins: roles (never the last admin's), users, others' API keys, and
the audit log, which moderators read their own part of."""

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_api_key, create_post, create_user

pytestmark = pytest.mark.anyio


async def test_an_admin_sets_roles_and_the_account_says_so(
    client: AsyncClient, user: AuthUser, superuser: AuthUser
) -> None:
    promoted = await client.put(
        f"/admin/users/{user.id}/role",
        json={"role": "admin"},
        headers=superuser.headers,
    )
    me = await client.get("/auth/users/me", headers=user.headers)
    demoted = await client.put(
        f"/admin/users/{superuser.id}/role",
        json={"role": "member"},
        headers=user.headers,
    )
    former = await client.get("/auth/users/me", headers=superuser.headers)

    assert promoted.status_code == 200
    assert promoted.json()["role"] == "admin"
    assert (me.json()["role"], me.json()["is_superuser"]) == ("admin", True)
    assert demoted.status_code == 200
    assert (former.json()["role"], former.json()["is_superuser"]) == ("member", False)
    refused = await client.get("/admin/users", headers=superuser.headers)
    assert refused.status_code == 403


async def test_the_last_admin_cannot_be_demoted(
    client: AsyncClient, superuser: AuthUser
) -> None:
    response = await client.put(
        f"/admin/users/{superuser.id}/role",
        json={"role": "moderator"},
        headers=superuser.headers,
    )
    bad_role = await client.put(
        f"/admin/users/{superuser.id}/role",
        json={"role": "emperor"},
        headers=superuser.headers,
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "The last admin cannot be demoted"
    assert bad_role.status_code == 422
    me = await client.get("/auth/users/me", headers=superuser.headers)
    assert me.json()["role"] == "admin"
    audit = await client.get("/admin/audit", headers=superuser.headers)
    assert audit.json()["items"] == []


async def test_admins_find_users_by_name_email_role_and_suspension(
    client: AsyncClient, superuser: AuthUser, moderator: AuthUser
) -> None:
    ann = await create_user(client, username="Ann_Smith", email="ann@example.org")
    await create_user(client, username="bob", email="bob@example.net")
    await client.put(f"/moderation/users/{ann.id}/suspended", headers=moderator.headers)

    async def usernames(**params: str) -> list[str]:
        response = await client.get(
            "/admin/users", params=params, headers=superuser.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] == len(page["items"])
        return sorted(u["username"] for u in page["items"])

    assert await usernames(q="ann_s") == ["Ann_Smith"]
    assert await usernames(q="EXAMPLE.NET") == ["bob"]
    assert await usernames(q="%") == []
    assert await usernames(role="moderator") == [moderator.username]
    assert await usernames(role="admin") == [superuser.username]
    assert await usernames(suspended="true") == ["Ann_Smith"]
    assert len(await usernames(suspended="false")) == 3
    assert len(await usernames()) == 4


async def test_moderators_are_refused_what_only_admins_may(
    client: AsyncClient, user: AuthUser, moderator: AuthUser
) -> None:
    for method, path, body in (
        ("GET", "/admin/users", None),
        ("PUT", f"/admin/users/{user.id}/role", {"role": "moderator"}),
        ("GET", f"/admin/users/{user.id}/api-keys", None),
    ):
        response = await client.request(
            method, path, json=body, headers=moderator.headers
        )
        assert response.status_code == 403, path
    me = await client.get("/auth/users/me", headers=user.headers)
    assert me.json()["role"] == "member"


async def test_an_admin_revokes_a_users_key_and_it_is_audited(
    client: AsyncClient, user: AuthUser, superuser: AuthUser
) -> None:
    key = await create_api_key(client, user, "posts:read")
    keys = await client.get(
        f"/admin/users/{user.id}/api-keys", headers=superuser.headers
    )
    key_id = keys.json()[0]["id"]

    revoked = await client.delete(
        f"/admin/users/{user.id}/api-keys/{key_id}", headers=superuser.headers
    )
    audit = await client.get(
        "/admin/audit", params={"action": "api_key_revoked"}, headers=superuser.headers
    )

    assert revoked.status_code == 204
    assert (await client.get("/feed", headers={"X-API-Key": key})).status_code == 401
    [entry] = audit.json()["items"]
    assert entry["target_type"] == "api_key"
    assert entry["target_id"] == key_id
    assert entry["actor"] == {"id": superuser.id, "username": superuser.username}


async def test_the_audit_log_is_filtered_and_moderators_read_their_own(
    client: AsyncClient, user: AuthUser, superuser: AuthUser, moderator: AuthUser
) -> None:
    first = await create_post(client, user)
    second = await create_post(client, user)
    await client.put(
        f"/moderation/posts/{first['id']}/hidden",
        json={"reason": "Spam"},
        headers=moderator.headers,
    )
    await client.put(
        f"/moderation/posts/{second['id']}/hidden", headers=superuser.headers
    )
    await client.delete(
        f"/moderation/posts/{second['id']}/hidden", headers=superuser.headers
    )

    async def entries(who: AuthUser, **params: str) -> list[tuple[str, str]]:
        response = await client.get("/admin/audit", params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        return [(e["action"], e["target_id"]) for e in response.json()["items"]]

    everything = await entries(superuser)
    assert everything[:3] == [
        ("post_shown", second["id"]),
        ("post_hidden", second["id"]),
        ("post_hidden", first["id"]),
    ]
    # The role change that made the moderator is there too.
    assert everything[3][0] == "role_changed"
    assert await entries(superuser, actor_id=moderator.id) == [
        ("post_hidden", first["id"])
    ]
    assert await entries(superuser, action="post_shown") == [
        ("post_shown", second["id"])
    ]
    assert await entries(superuser, target_id=first["id"]) == [
        ("post_hidden", first["id"])
    ]
    # A moderator asking for everything, or for another's, gets their own.
    assert await entries(moderator) == [("post_hidden", first["id"])]
    assert await entries(moderator, actor_id=superuser.id) == [
        ("post_hidden", first["id"])
    ]
    member = await client.get("/admin/audit", headers=user.headers)
    assert member.status_code == 403


async def test_audit_entries_cannot_be_changed_through_the_api(
    client: AsyncClient, user: AuthUser, superuser: AuthUser
) -> None:
    post = await create_post(client, user)
    await client.put(
        f"/moderation/posts/{post['id']}/hidden", headers=superuser.headers
    )
    entry = (await client.get("/admin/audit", headers=superuser.headers)).json()[
        "items"
    ][0]

    for method in ("PUT", "PATCH", "DELETE"):
        on_log = await client.request(method, "/admin/audit", headers=superuser.headers)
        on_entry = await client.request(
            method, f"/admin/audit/{entry['id']}", headers=superuser.headers
        )
        assert on_log.status_code == 405
        assert on_entry.status_code == 404
    after = (await client.get("/admin/audit", headers=superuser.headers)).json()
    assert after["items"][0] == entry
