"""Favorites: idempotent, counted exactly, the caller's own `favorited`
on every post they read, one notification per favorite."""

import asyncio
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import AuthUser, create_post, create_user
from tests.utils import StatementCounter

pytestmark = pytest.mark.anyio


async def _notifications(client: AsyncClient, user: AuthUser) -> list[dict[str, Any]]:
    response = await client.get("/notifications", headers=user.headers)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_favoriting_is_idempotent_and_notifies_once(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}/favorite"

    first = await client.put(url, headers=other_user.headers)
    again = await client.put(url, headers=other_user.headers)

    assert first.status_code == again.status_code == 200
    assert (again.json()["favorited"], again.json()["favorites_count"]) == (True, 1)
    (notification,) = await _notifications(client, user)
    assert notification["type"] == "post_favorited"
    assert notification["post_id"] == post["id"]
    assert notification["comment_id"] is None
    assert notification["actor"]["id"] == other_user.id

    undone = await client.delete(url, headers=other_user.headers)
    undone_again = await client.delete(url, headers=other_user.headers)
    assert undone.status_code == undone_again.status_code == 200
    assert (
        undone_again.json()["favorited"],
        undone_again.json()["favorites_count"],
    ) == (
        False,
        0,
    )


async def test_favoriting_your_own_post_notifies_nobody(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.put(f"/posts/{post['id']}/favorite", headers=user.headers)

    assert response.json()["favorites_count"] == 1
    assert await _notifications(client, user) == []


async def test_favorited_is_the_callers_on_every_read(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    kept = await create_post(client, user, title="Kept", tags=["t"])
    await create_post(client, user, title="Not kept", tags=["t"])
    await client.put(f"/posts/{kept['id']}/favorite", headers=other_user.headers)

    def favorited(items: list[dict[str, Any]]) -> dict[str, bool]:
        return {post["title"]: post["favorited"] for post in items}

    for url, params in (
        ("/posts", {}),
        ("/posts", {"tag": "t"}),
        (f"/users/{user.id}/posts", {}),
    ):
        mine = await client.get(url, params=params, headers=other_user.headers)
        anonymous = await client.get(url, params=params)
        assert favorited(mine.json()["items"]) == {"Kept": True, "Not kept": False}
        assert favorited(anonymous.json()["items"]) == {
            "Kept": False,
            "Not kept": False,
        }
    single = await client.get(f"/posts/{kept['id']}", headers=other_user.headers)
    assert single.json()["favorited"] is True
    assert (await client.get(f"/posts/{kept['id']}")).json()["favorited"] is False


async def test_a_page_costs_one_statement_for_favorited_whatever_its_size(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    for n in range(5):
        post = await create_post(client, user, title=f"post {n}")
        await client.put(f"/posts/{post['id']}/favorite", headers=user.headers)

    counts = []
    for limit in (1, 5):
        with StatementCounter(connection) as counter:
            response = await client.get(
                "/posts", params={"limit": limit}, headers=user.headers
            )
        assert all(post["favorited"] for post in response.json()["items"])
        counts.append(counter.count)

    assert counts[0] == counts[1]


async def test_a_users_favorites_newest_first(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    first = await create_post(client, user, title="First")
    second = await create_post(client, user, title="Second")
    for post in (second, first):
        await client.put(f"/posts/{post['id']}/favorite", headers=other_user.headers)

    response = await client.get(f"/users/{other_user.id}/favorites")

    assert [p["title"] for p in response.json()["items"]] == ["First", "Second"]
    assert response.json()["total"] == 2


async def test_deleting_a_post_or_an_account_takes_their_favorites(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    kept = await create_post(client, user)
    deleted = await create_post(client, user)
    fan = await create_user(client)
    for post in (kept, deleted):
        for who in (other_user, fan):
            await client.put(f"/posts/{post['id']}/favorite", headers=who.headers)

    await client.delete(f"/posts/{deleted['id']}", headers=user.headers)
    await client.delete("/auth/users/me", headers=fan.headers)

    assert (await client.get(f"/posts/{kept['id']}")).json()["favorites_count"] == 1
    favorites = (await client.get(f"/users/{other_user.id}/favorites")).json()
    assert (favorites["total"], len(favorites["items"])) == (1, 1)


async def test_counts_stay_exact_under_concurrent_favorites(
    committing_client: AsyncClient,
) -> None:
    client = committing_client
    author = await create_user(client)
    post = await create_post(client, author)
    fans = [await create_user(client) for _ in range(50)]
    url = f"/posts/{post['id']}/favorite"
    # Everyone favorites at once, twice; then half of them undo it at once.
    favorited = await asyncio.gather(
        *(client.put(url, headers=fan.headers) for fan in fans for _ in range(2))
    )
    unfavorited = await asyncio.gather(
        *(client.delete(url, headers=fan.headers) for fan in fans[::2])
    )

    assert {r.status_code for r in favorited + unfavorited} == {200}

    read = await client.get(f"/posts/{post['id']}")

    assert read.json()["favorites_count"] == 25
    notifications = await client.get(
        "/notifications", params={"limit": 100}, headers=author.headers
    )
    assert notifications.json()["total"] == 50
