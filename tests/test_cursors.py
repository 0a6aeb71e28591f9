"""Following `next_cursor` through every list: each item once, in order, at
the same cost at any depth, whatever is added or removed meanwhile."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import (
    AuthUser,
    create_comment,
    create_post,
    upload_attachment,
)

pytestmark = pytest.mark.anyio


async def _walk(
    client: AsyncClient, url: str, limit: int, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every page of `url` by cursor; checks each page's envelope."""
    pages = []
    response = await client.get(url, params={"limit": limit}, headers=headers)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        if page["next_cursor"] is None:
            break
        assert len(page["items"]) == limit
        response = await client.get(
            url, params={"limit": limit, "cursor": page["next_cursor"]}, headers=headers
        )
    totals = {page["total"] for page in pages}
    assert totals == {sum(len(page["items"]) for page in pages)}
    assert [page["offset"] for page in pages] == [0] + [None] * (len(pages) - 1)
    return [item for page in pages for item in page["items"]]


async def _ids(
    client: AsyncClient, url: str, headers: dict[str, str] | None = None
) -> list[str]:
    response = await client.get(url, params={"limit": 100}, headers=headers)
    return [item["id"] for item in response.json()["items"]]


async def test_posts_by_cursor_are_the_whole_list_newest_first(
    client: AsyncClient, user: AuthUser
) -> None:
    for n in range(7):
        await create_post(client, user, title=f"post {n}")

    walked = await _walk(client, "/posts", limit=3)

    assert [post["id"] for post in walked] == await _ids(client, "/posts")
    assert [post["title"] for post in walked] == [f"post {n}" for n in range(6, -1, -1)]
    assert [p["id"] for p in await _walk(client, f"/users/{user.id}/posts", 2)] == [
        post["id"] for post in walked
    ]


async def test_a_cursor_continues_after_what_it_saw_whatever_changed(
    client: AsyncClient, user: AuthUser
) -> None:
    for n in range(6):
        await create_post(client, user, title=f"post {n}")
    first = (await client.get("/posts", params={"limit": 2})).json()
    unseen = (await client.get("/posts", params={"offset": 2, "limit": 100})).json()

    # Meanwhile: a new post, one seen post and one unseen post deleted.
    await create_post(client, user, title="newer")
    await client.delete(f"/posts/{first['items'][0]['id']}", headers=user.headers)
    gone = unseen["items"][1]["id"]
    await client.delete(f"/posts/{gone}", headers=user.headers)
    rest = await client.get(
        "/posts", params={"limit": 100, "cursor": first["next_cursor"]}
    )

    expected = [post["id"] for post in unseen["items"] if post["id"] != gone]
    assert [post["id"] for post in rest.json()["items"]] == expected
    assert rest.json()["next_cursor"] is None


async def test_comments_attachments_and_notifications_by_cursor(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    for n in range(5):
        await create_comment(client, post["id"], other_user, f"comment {n}")
        upload = await upload_attachment(client, post["id"], user, f"file {n}".encode())
        assert upload.status_code == 201

    comments = await _walk(client, f"/posts/{post['id']}/comments", limit=2)
    attachments = await _walk(client, f"/posts/{post['id']}/attachments", limit=2)
    notifications = await _walk(client, "/notifications", 2, headers=user.headers)

    assert [c["content"] for c in comments] == [f"comment {n}" for n in range(5)]
    assert [a["id"] for a in attachments] == await _ids(
        client, f"/posts/{post['id']}/attachments"
    )
    assert [n["comment_id"] for n in notifications] == [
        c["id"] for c in reversed(comments)
    ]


async def test_a_tampered_cursor_is_422(client: AsyncClient, user: AuthUser) -> None:
    for _ in range(3):
        await create_post(client, user)
    cursor = (await client.get("/posts", params={"limit": 1})).json()["next_cursor"]
    payload, signature = cursor.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]

    responses = [
        await client.get("/posts", params={"cursor": value})
        for value in (f"{forged}.{signature}", f"{payload}.{signature[::-1]}", payload)
    ]

    assert [r.status_code for r in responses] == [422, 422, 422]
    assert all(r.json()["detail"][0]["loc"] == ["query", "cursor"] for r in responses)
    assert all("input" not in r.json()["detail"][0] for r in responses)
