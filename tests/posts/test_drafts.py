"""A draft is its author's alone until it is published; then it appears
at once, in every list, by its publication time."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_post

pytestmark = pytest.mark.anyio


async def _draft(
    client: AsyncClient, author: AuthUser, **fields: Any
) -> dict[str, Any]:
    return await create_post(client, author, status="draft", tags=["notes"], **fields)


async def _listed(client: AsyncClient, url: str, **params: Any) -> list[str]:
    response = await client.get(url, params=params)
    assert response.status_code == 200, response.text
    return [post["id"] for post in response.json()["items"]]


async def test_a_draft_is_in_no_public_list(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    published = await create_post(client, user, title="Seen", tags=["notes"])
    draft = await _draft(client, user, title="Unseen words")
    await client.put(f"/users/{user.id}/follow", headers=other_user.headers)

    assert draft["status"] == "draft"
    assert draft["published_at"] is None
    for url, params, expected in (
        ("/posts", {}, [published["id"]]),
        (f"/users/{user.id}/posts", {}, [published["id"]]),
        ("/posts", {"tag": "notes"}, [published["id"]]),
        ("/posts", {"q": "unseen"}, []),
    ):
        assert await _listed(client, url, **params) == expected
    feed = await client.get("/feed", headers=other_user.headers)
    assert [p["id"] for p in feed.json()["items"]] == [published["id"]]
    assert feed.json()["total"] == 1
    assert (await client.get("/posts")).json()["total"] == 1
    tags = (await client.get("/tags")).json()["items"]
    assert tags == [{"name": "notes", "posts_count": 1}]


async def test_a_draft_is_found_by_its_author_only(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    draft = await _draft(client, user)
    url = f"/posts/{draft['id']}"

    assert (await client.get(url, headers=user.headers)).status_code == 200
    assert (await client.get(url, headers=other_user.headers)).status_code == 404
    assert (await client.get(url)).status_code == 404
    by_slug = f"/posts/by-slug/{draft['slug']}"
    assert (await client.get(by_slug)).status_code == 404
    comment = await client.post(
        f"{url}/comments", json={"content": "Hi"}, headers=other_user.headers
    )
    favorite = await client.put(f"{url}/favorite", headers=other_user.headers)
    assert (comment.status_code, favorite.status_code) == (404, 404)


async def test_my_drafts_lists_mine_newest_first(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    older = await _draft(client, user, title="Older")
    newer = await _draft(client, user, title="Newer")
    await _draft(client, other_user)
    await create_post(client, user, title="Published")

    response = await client.get("/auth/users/me/drafts", headers=user.headers)

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [newer["id"], older["id"]]
    assert response.json()["total"] == 2
    assert (await client.get("/auth/users/me/drafts")).status_code == 401


async def test_publishing_makes_it_appear_at_once_by_its_publication_time(
    client: AsyncClient, user: AuthUser
) -> None:
    draft = await _draft(client, user, title="Written first")
    later = await create_post(client, user, title="Published first")

    published = await client.patch(
        f"/posts/{draft['id']}", json={"status": "published"}, headers=user.headers
    )

    assert published.status_code == 200
    body = published.json()
    assert body["status"] == "published"
    assert body["published_at"] > later["published_at"]
    assert await _listed(client, "/posts") == [draft["id"], later["id"]]
    assert await _listed(client, "/posts", tag="notes") == [draft["id"]]
    assert (await client.get("/posts")).json()["total"] == 2
    drafts = await client.get("/auth/users/me/drafts", headers=user.headers)
    assert drafts.json() == {
        "items": [],
        "total": 0,
        "limit": 20,
        "offset": 0,
        "next_cursor": None,
    }


async def test_a_published_post_cannot_go_back_to_draft(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.patch(
        f"/posts/{post['id']}", json={"status": "draft"}, headers=user.headers
    )

    assert response.status_code == 409
    assert "cannot go back to draft" in response.json()["detail"]
    assert (await client.get(f"/posts/{post['id']}")).json()["status"] == "published"
