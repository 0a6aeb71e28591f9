"""Concurrent writes on real, separately committed transactions."""

import asyncio

import pytest
from httpx import AsyncClient

from tests.factories import create_post, create_user

pytestmark = pytest.mark.anyio


async def test_concurrent_comments_are_all_counted(
    committing_client: AsyncClient,
) -> None:
    author = await create_user(committing_client)
    readers = [await create_user(committing_client) for _ in range(3)]
    post = await create_post(committing_client, author)

    responses = await asyncio.gather(
        *(
            committing_client.post(
                f"/posts/{post['id']}/comments",
                json={"content": f"Comment {n}"},
                headers=readers[n % 3].headers,
            )
            for n in range(30)
        )
    )

    assert [r.status_code for r in responses] == [201] * 30
    read = await committing_client.get(f"/posts/{post['id']}")
    assert read.json()["comments_count"] == 30
    notified = await committing_client.get("/notifications", headers=author.headers)
    assert notified.json()["total"] == 30


async def test_concurrent_edits_from_one_read_let_exactly_one_through(
    committing_client: AsyncClient,
) -> None:
    author = await create_user(committing_client)
    post = await create_post(committing_client, author)
    url = f"/posts/{post['id']}"
    tag = (await committing_client.get(url)).headers["ETag"]

    responses = await asyncio.gather(
        *(
            committing_client.patch(
                url,
                json={"title": f"Edit {n}"},
                headers=author.headers | {"If-Match": tag},
            )
            for n in range(10)
        )
    )

    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1
    assert {r.status_code for r in responses} <= {200, 409, 412}
    assert (await committing_client.get(url)).json() == winners[0].json()


async def test_concurrent_edits_without_if_match_lose_nothing_silently(
    committing_client: AsyncClient,
) -> None:
    # Each edit that got a 200 was applied in turn (last writer wins); an edit
    # that could not be applied said so with 409.
    author = await create_user(committing_client)
    post = await create_post(committing_client, author)
    url = f"/posts/{post['id']}"

    responses = await asyncio.gather(
        *(
            committing_client.patch(
                url, json={"content": f"Edit {n}"}, headers=author.headers
            )
            for n in range(10)
        )
    )

    applied = [r for r in responses if r.status_code == 200]
    assert {r.status_code for r in responses} <= {200, 409}
    final = await committing_client.get(url)
    assert final.headers["ETag"].startswith(f'"{1 + len(applied)}-')
    last = max(applied, key=lambda r: int(r.headers["ETag"].strip('"').split("-")[0]))
    assert final.json() == last.json()


async def test_posts_created_at_once_with_one_title_and_new_tags_all_land(
    committing_client: AsyncClient,
) -> None:
    author = await create_user(committing_client)
    body = {"title": "Same title", "content": "x", "tags": ["brand-new", "also-new"]}

    responses = await asyncio.gather(
        *(
            committing_client.post("/posts", json=body, headers=author.headers)
            for _ in range(20)
        )
    )

    assert [r.status_code for r in responses] == [201] * 20
    slugs = {r.json()["slug"] for r in responses}
    assert len(slugs) == 20
    assert "same-title" in slugs
    for slug in slugs:
        found = await committing_client.get(f"/posts/by-slug/{slug}")
        assert found.json()["slug"] == slug
    tags = (await committing_client.get("/tags")).json()["items"]
    assert {(t["name"], t["posts_count"]) for t in tags} >= {
        ("brand-new", 20),
        ("also-new", 20),
    }
