import uuid
from typing import Any
from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from src.notifications.models import Notification
from tests.factories import AuthUser, create_comment, create_post, create_user

pytestmark = pytest.mark.anyio


async def _notifications(
    client: AsyncClient, user: AuthUser, **params: Any
) -> dict[str, Any]:
    response = await client.get("/notifications", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def _stored(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Notification)) or 0


async def test_a_comment_notifies_the_post_creator(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], other_user)

    page = await _notifications(client, user)

    assert page["total"] == 1
    [notification] = page["items"]
    assert notification == {
        "id": notification["id"],
        "type": "comment_created",
        "post_id": post["id"],
        "comment_id": comment["id"],
        "actor": {"id": other_user.id, "username": other_user.username},
        "created_at": notification["created_at"],
        "read_at": None,
    }
    assert notification["created_at"].endswith("Z")
    assert (await _notifications(client, other_user))["total"] == 0


async def test_commenting_on_your_own_post_notifies_nobody(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], user)

    assert (await _notifications(client, user))["total"] == 0
    assert await _stored(session) == 0


async def test_newest_first_and_paginated(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    comments = [await create_comment(client, post["id"], other_user) for _ in range(3)]

    first = await _notifications(client, user, limit=2)
    rest = await _notifications(client, user, limit=2, offset=2)

    ids = [n["comment_id"] for n in first["items"] + rest["items"]]
    assert ids == [c["id"] for c in reversed(comments)]
    assert (first["total"], first["limit"], rest["offset"]) == (3, 2, 2)


async def test_mark_read_and_filter_by_unread(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    for _ in range(2):
        await create_comment(client, post["id"], other_user)
    older = (await _notifications(client, user))["items"][1]

    response = await client.post(
        f"/notifications/{older['id']}/read", headers=user.headers
    )

    assert response.status_code == 204
    unread = await _notifications(client, user, unread="true")
    read = await _notifications(client, user, unread="false")
    everything = await _notifications(client, user)
    assert unread["total"] == 1
    assert unread["items"][0]["id"] != older["id"]
    assert [n["id"] for n in read["items"]] == [older["id"]]
    assert read["items"][0]["read_at"].endswith("Z")
    assert everything["total"] == 2


async def test_marking_read_twice_keeps_the_first_time(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)
    notification_id = (await _notifications(client, user))["items"][0]["id"]
    path = f"/notifications/{notification_id}/read"

    await client.post(path, headers=user.headers)
    first = (await _notifications(client, user))["items"][0]["read_at"]
    again = await client.post(path, headers=user.headers)

    assert again.status_code == 204
    assert (await _notifications(client, user))["items"][0]["read_at"] == first


async def test_someone_elses_notification_is_not_found(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)
    notification_id = (await _notifications(client, user))["items"][0]["id"]

    theirs = await client.post(
        f"/notifications/{notification_id}/read", headers=other_user.headers
    )
    missing = await client.post(
        f"/notifications/{uuid.uuid4()}/read", headers=user.headers
    )

    assert theirs.status_code == 404
    assert theirs.json() == {"detail": "Notification not found"}
    assert missing.status_code == 404
    assert (await _notifications(client, user, unread="true"))["total"] == 1


async def test_read_all_marks_only_mine(
    client: AsyncClient, user: AuthUser, other_user: AuthUser
) -> None:
    mine = await create_post(client, user)
    theirs = await create_post(client, other_user)
    for _ in range(3):
        await create_comment(client, mine["id"], other_user)
    await create_comment(client, theirs["id"], user)

    response = await client.post("/notifications/read-all", headers=user.headers)

    assert response.status_code == 204
    assert (await _notifications(client, user, unread="true"))["total"] == 0
    assert (await _notifications(client, user, unread="false"))["total"] == 3
    assert (await _notifications(client, other_user, unread="true"))["total"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/notifications"),
        ("POST", "/notifications/read-all"),
        ("POST", f"/notifications/{uuid.uuid4()}/read"),
    ],
)
async def test_notifications_need_a_token(
    client: AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == 401


async def test_bad_filters_are_422(client: AsyncClient, user: AuthUser) -> None:
    bad_unread = await client.get(
        "/notifications", params={"unread": "maybe"}, headers=user.headers
    )
    bad_id = await client.post("/notifications/not-an-id/read", headers=user.headers)

    assert (bad_unread.status_code, bad_id.status_code) == (422, 422)


@pytest.mark.parametrize("deleted", ["comment", "post", "actor", "recipient"])
async def test_notification_goes_with_what_it_refers_to(
    client: AsyncClient,
    user: AuthUser,
    other_user: AuthUser,
    session: AsyncSession,
    deleted: str,
) -> None:
    post = await create_post(client, user)
    comment = await create_comment(client, post["id"], other_user)
    assert await _stored(session) == 1

    path, actor = {
        "comment": (f"/posts/{post['id']}/comments/{comment['id']}", other_user),
        "post": (f"/posts/{post['id']}", user),
        "actor": ("/auth/users/me", other_user),
        "recipient": ("/auth/users/me", user),
    }[deleted]
    response = await client.delete(path, headers=actor.headers)

    assert response.status_code == 204
    assert await _stored(session) == 0


async def test_a_notification_for_each_commenter(
    client: AsyncClient, user: AuthUser, other_user: AuthUser, session: AsyncSession
) -> None:
    third = await create_user(client)
    post = await create_post(client, user)
    await create_comment(client, post["id"], other_user)
    await create_comment(client, post["id"], third)

    actors = [n["actor"]["id"] for n in (await _notifications(client, user))["items"]]

    assert actors == [third.id, other_user.id]
    stored = await session.scalars(select(Notification.user_id))
    assert set(stored) == {UUID(user.id)}
