"""The feed: the followed authors' published posts, newest published
first, up to date with every post, follow and unfollow."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_post, create_user

pytestmark = pytest.mark.anyio


async def _feed(client: AsyncClient, reader: AuthUser, **params: Any) -> dict[str, Any]:
    response = await client.get("/feed", params=params, headers=reader.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_the_feed_holds_the_followed_authors_posts_newest_first(
    client: AsyncClient, user: AuthUser
) -> None:
    followed, unfollowed = await create_user(client), await create_user(client)
    await client.put(f"/users/{followed.id}/follow", headers=user.headers)
    first = await create_post(client, followed, title="First")
    await create_post(client, unfollowed, title="Elsewhere")
    await create_post(client, followed, title="Draft", status="draft")
    await create_post(client, user, title="Mine")

    second = await create_post(client, followed, title="Second")
    page = await _feed(client, user)

    assert [p["title"] for p in page["items"]] == ["Second", "First"]
    assert page["total"] == 2
    assert page["items"][0]["id"] == second["id"]
    assert page["items"][1]["id"] == first["id"]


async def test_a_follow_adds_and_an_unfollow_removes_an_authors_posts(
    client: AsyncClient, user: AuthUser
) -> None:
    author = await create_user(client)
    await create_post(client, author, title="Already there")
    assert (await _feed(client, user))["total"] == 0

    await client.put(f"/users/{author.id}/follow", headers=user.headers)
    followed = await _feed(client, user)
    await client.delete(f"/users/{author.id}/follow", headers=user.headers)
    unfollowed = await _feed(client, user)

    assert [p["title"] for p in followed["items"]] == ["Already there"]
    assert followed["total"] == 1
    assert (unfollowed["items"], unfollowed["total"]) == ([], 0)


async def test_the_feed_pages_by_cursor_and_its_cursor_is_its_own(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    author = await create_user(client)
    for reader in (user, other_user):
        await client.put(f"/users/{author.id}/follow", headers=reader.headers)
    for n in range(5):
        await create_post(client, author, title=f"post {n}")

    first = await _feed(client, user, limit=2)
    seen = [p["title"] for p in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await _feed(client, user, limit=2, cursor=cursor)
        seen += [p["title"] for p in page["items"]]
        assert page["total"] == 5
        cursor = page["next_cursor"]

    assert seen == [f"post {n}" for n in range(4, -1, -1)]
    # Another reader's feed, or another list, refuses this reader's cursor.
    other = await client.get(
        "/feed",
        params={"cursor": first["next_cursor"]},
        headers=other_user.headers,
    )
    posts = await client.get("/posts", params={"cursor": first["next_cursor"]})
    assert other.status_code == posts.status_code == 422


async def test_the_feed_is_yours_alone(client: AsyncClient) -> None:
    response = await client.get("/feed")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
