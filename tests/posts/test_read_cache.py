"""The read cache: a post and the list's first page are answered from memory
while nothing they show has changed, and never after a write that changed
it (src/web/read_cache.py). Each test reads first, so that the answer is
cached, writes through the API, and reads again."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.factories import AuthUser, create_comment, create_post, create_user
from tests.utils import StatementCounter

pytestmark = pytest.mark.anyio

type Write = Callable[[AsyncClient, dict[str, Any], AuthUser], Awaitable[Any]]


async def _edit(client: AsyncClient, post: dict[str, Any], author: AuthUser) -> None:
    edited = await client.patch(
        f"/posts/{post['id']}", json={"title": "Edited"}, headers=author.headers
    )
    assert edited.status_code == 200


async def _comment(client: AsyncClient, post: dict[str, Any], _: AuthUser) -> None:
    await create_comment(client, post["id"], await create_user(client))


async def _uncomment(
    client: AsyncClient, post: dict[str, Any], author: AuthUser
) -> None:
    comment = await create_comment(client, post["id"], author)
    assert (await client.get(f"/posts/{post['id']}")).json()["comments_count"] == 1
    deleted = await client.delete(
        f"/posts/{post['id']}/comments/{comment['id']}", headers=author.headers
    )
    assert deleted.status_code == 204


async def _favorite(client: AsyncClient, post: dict[str, Any], _: AuthUser) -> None:
    fan = await create_user(client)
    added = await client.put(f"/posts/{post['id']}/favorite", headers=fan.headers)
    assert added.status_code in (200, 201)


async def _unfavorite(
    client: AsyncClient, post: dict[str, Any], author: AuthUser
) -> None:
    url = f"/posts/{post['id']}/favorite"
    await client.put(url, headers=author.headers)
    assert (await client.get(f"/posts/{post['id']}")).json()["favorites_count"] == 1
    assert (await client.delete(url, headers=author.headers)).status_code in (200, 204)


async def _rename_author(
    client: AsyncClient, _: dict[str, Any], author: AuthUser
) -> None:
    renamed = await client.patch(
        "/auth/users/me", json={"username": "renamed_author"}, headers=author.headers
    )
    assert renamed.status_code == 200


WRITES: dict[str, tuple[Write, Callable[[dict[str, Any]], Any]]] = {
    "an edit": (_edit, lambda post: post["title"] == "Edited"),
    "a comment": (_comment, lambda post: post["comments_count"] == 1),
    "a deleted comment": (_uncomment, lambda post: post["comments_count"] == 0),
    "a favorite": (_favorite, lambda post: post["favorites_count"] == 1),
    "an undone favorite": (_unfavorite, lambda post: post["favorites_count"] == 0),
    "a new username": (
        _rename_author,
        lambda post: post["creator"]["username"] == "renamed_author",
    ),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
async def test_a_cached_post_and_page_show_every_write(
    client: AsyncClient, user: AuthUser, write: str
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    await client.get(url)
    await client.get("/posts", params={"limit": 5})
    change, shows_it = WRITES[write]

    await change(client, post, user)

    after = await client.get(url)
    listed = (await client.get("/posts", params={"limit": 5})).json()["items"][0]
    assert shows_it(after.json())
    assert shows_it(listed)
    assert after.json() == listed


async def test_a_deleted_post_is_gone_from_the_cache(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    await client.get(f"/posts/{post['id']}")
    await client.get("/posts")

    await client.delete(f"/posts/{post['id']}", headers=user.headers)

    assert (await client.get(f"/posts/{post['id']}")).status_code == 404
    assert (await client.get("/posts")).json()["total"] == 0


async def test_a_hidden_post_is_gone_and_comes_back(
    client: AsyncClient, user: AuthUser, moderator: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    await client.get(url)
    await client.get("/posts")

    hidden = await client.put(
        f"/moderation{url}/hidden", json={}, headers=moderator.headers
    )
    assert hidden.status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/posts")).json()["items"] == []

    await client.delete(f"/moderation{url}/hidden", headers=moderator.headers)
    assert (await client.get(url)).status_code == 200
    assert (await client.get("/posts")).json()["total"] == 1


async def test_a_hidden_comment_leaves_the_cached_count(
    client: AsyncClient, user: AuthUser, moderator: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], user)
    assert (await client.get(f"/posts/{post['id']}")).json()["comments_count"] == 1

    await client.put(
        f"/moderation/comments/{comment['id']}/hidden",
        json={},
        headers=moderator.headers,
    )

    assert (await client.get(f"/posts/{post['id']}")).json()["comments_count"] == 0


async def test_a_deleted_account_takes_its_posts_and_counts_out(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    fan = await create_user(client)
    await client.put(f"/posts/{post['id']}/favorite", headers=fan.headers)
    assert (await client.get(f"/posts/{post['id']}")).json()["favorites_count"] == 1

    assert (
        await client.delete("/auth/users/me", headers=fan.headers)
    ).status_code == 204

    assert (await client.get(f"/posts/{post['id']}")).json()["favorites_count"] == 0


async def test_a_new_post_joins_the_cached_first_page(
    client: AsyncClient, user: AuthUser
) -> None:
    await create_post(client, user, title="First")
    assert (await client.get("/posts")).json()["total"] == 1

    await create_post(client, user, title="Second")

    page = (await client.get("/posts")).json()
    assert [item["title"] for item in page["items"]] == ["Second", "First"]
    assert page["total"] == 2


async def test_what_the_caller_favorited_is_theirs_not_the_cache(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    fan = await create_user(client)
    await client.put(f"{url}/favorite", headers=fan.headers)

    anonymous = await client.get(url)
    theirs = await client.get(url, headers=fan.headers)
    others = await client.get(url, headers=user.headers)
    listed = await client.get("/posts", headers=fan.headers)

    assert anonymous.json()["favorited"] is False
    assert theirs.json()["favorited"] is True
    assert others.json()["favorited"] is False
    assert listed.json()["items"][0]["favorited"] is True
    assert theirs.headers["ETag"] != anonymous.headers["ETag"]
    assert others.headers["ETag"] == anonymous.headers["ETag"]


async def test_a_cached_read_answers_its_etag_with_304(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}"
    tag = (await client.get(url)).headers["ETag"]

    again = await client.get(url, headers={"If-None-Match": tag})

    assert again.status_code == 304
    assert again.headers["ETag"] == tag


async def test_a_cached_read_does_not_reach_the_database(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    post = await create_post(client, user)
    await client.get(f"/posts/{post['id']}")
    await client.get("/posts")

    with StatementCounter(connection) as statements:
        post_read = await client.get(f"/posts/{post['id']}")
        page_read = await client.get("/posts")

    assert post_read.status_code == page_read.status_code == 200
    assert statements.count == 0


async def test_a_draft_is_never_cached_for_others(
    client: AsyncClient, user: AuthUser
) -> None:
    draft = await create_post(client, user, status="draft")
    url = f"/posts/{draft['id']}"

    assert (await client.get(url, headers=user.headers)).status_code == 200
    assert (await client.get(url)).status_code == 404


async def test_a_cached_profile_shows_every_write(client: AsyncClient) -> None:
    star, fan = await create_user(client), await create_user(client)
    url = f"/users/{star.id}"
    assert (await client.get(url)).json()["followers_count"] == 0

    await client.put(f"{url}/follow", headers=fan.headers)
    assert (await client.get(url)).json()["followers_count"] == 1
    assert (await client.get(url, headers=fan.headers)).json()["following"] is True
    assert (await client.get(f"/users/{fan.id}")).json()["following_count"] == 1

    await client.patch("/auth/users/me", json={"bio": "New"}, headers=star.headers)
    assert (await client.get(url)).json()["bio"] == "New"

    await client.delete("/auth/users/me", headers=fan.headers)
    assert (await client.get(url)).json()["followers_count"] == 0
    assert (await client.get(f"/users/{fan.id}")).status_code == 404
