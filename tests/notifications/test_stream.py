"""GET /notifications/stream: what a client sees on its stream, and what a
reconnect replays."""

import json
import re
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import utcnow
from src.notifications.models import Notification
from src.notifications.streams import EVENT_ID_PATTERN
from tests.factories import AuthUser, create_api_key, create_comment, create_post
from tests.notifications.conftest import Served
from tests.streams import OpenStream, StreamEvent

pytestmark = pytest.mark.anyio

STREAM = "/notifications/stream"


async def test_a_comment_arrives_as_the_notification_in_the_list(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    async with served.stream(user) as opened:
        assert opened.status == 200
        assert opened.response_headers["content-type"].startswith("text/event-stream")
        assert opened.response_headers["cache-control"] == "no-store"
        assert "content-length" not in opened.response_headers
        assert await opened.live() == []

        comment = await create_comment(served.client, post["id"], other_user)
        event = await opened.next_event()

    listed = await served.client.get("/notifications", headers=user.headers)
    [notification] = listed.json()["items"]
    assert event.event == "notification"
    assert event.data is not None
    assert json.loads(event.data) == notification
    assert notification["comment_id"] == comment["id"]
    assert event.id is not None
    assert re.fullmatch(EVENT_ID_PATTERN, event.id)


async def test_follows_and_favorites_arrive_and_others_events_do_not(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    theirs = await create_post(served.client, other_user)
    async with served.stream(user) as opened:
        await opened.live()
        # Someone else's notification is not this stream's.
        await create_comment(served.client, theirs["id"], user)
        followed = await served.client.put(
            f"/users/{user.id}/follow", headers=other_user.headers
        )
        favorited = await served.client.put(
            f"/posts/{post['id']}/favorite", headers=other_user.headers
        )
        assert followed.status_code in {200, 201, 204}, followed.text
        assert favorited.status_code in {200, 201, 204}, favorited.text

        first, second = await opened.next_event(), await opened.next_event()

    assert [json.loads(e.data or "")["type"] for e in (first, second)] == [
        "user_followed",
        "post_favorited",
    ]


async def test_the_stream_wants_a_signed_in_caller(
    served: Served, user: AuthUser
) -> None:
    anonymous = await served.client.get(STREAM)
    wrong = await served.client.get(
        STREAM, headers={"Authorization": "Bearer not-a-token"}
    )

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401


async def test_an_api_key_needs_the_notifications_read_scope(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    without = await create_api_key(served.client, user, "posts:read")
    with_scope = await create_api_key(served.client, user, "notifications:read")

    refused = await served.client.get(STREAM, headers={"X-API-Key": without})
    async with OpenStream(
        served.manager.app, STREAM, headers={"X-API-Key": with_scope}
    ) as opened:
        await opened.live()
        await create_comment(served.client, post["id"], other_user)
        event = await opened.next_event()

    assert refused.status_code == 403
    assert event.event == "notification"


async def _notified(served: Served, post_id: str, actor: AuthUser, times: int) -> None:
    for _ in range(times):
        await create_comment(served.client, post_id, actor)


async def _ids(served: Served, user: AuthUser) -> list[str]:
    """The user's notifications' event ids, oldest first, from a stream
    that replays from the beginning of time."""
    page = await served.client.get("/notifications", headers=user.headers)
    return [item["id"] for item in reversed(page.json()["items"])]


async def _seen_one(
    served: Served, user: AuthUser, post_id: str, actor: AuthUser
) -> StreamEvent:
    """The event of one notification, seen live by a stream that then goes."""
    async with served.stream(user) as opened:
        await opened.live()
        await _notified(served, post_id, actor, 1)
        return await opened.next_event()


async def test_a_reconnect_is_sent_what_it_missed_then_what_comes(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    seen = await _seen_one(served, user, post["id"], other_user)
    # Away: three comments.
    await _notified(served, post["id"], other_user, 3)

    async with served.stream(user, last_event_id=seen.id) as again:
        missed = await again.live()
        await _notified(served, post["id"], other_user, 1)
        live = await again.next_event()

    in_order = await _ids(served, user)
    assert [json.loads(e.data or "")["id"] for e in missed] == in_order[1:4]
    assert [e.event for e in missed] == ["notification"] * 3
    assert json.loads(live.data or "")["id"] == in_order[4]


async def test_resume_after_says_where_a_first_connection_left_off(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    seen = await _seen_one(served, user, post["id"], other_user)
    await _notified(served, post["id"], other_user, 2)

    async with served.stream(user, params={"resume_after": seen.id or ""}) as again:
        missed = await again.live()

    assert [json.loads(e.data or "")["id"] for e in missed] == (
        await _ids(served, user)
    )[1:]


@pytest.mark.parametrize(
    "sent",
    [
        {"headers": {"Last-Event-ID": "yesterday"}},
        {"params": {"resume_after": "12-notahexid"}},
        {"params": {"resume_after": "1" * 18 + "-" + "0" * 32}},
    ],
)
async def test_a_malformed_event_id_is_a_422(
    served: Served, user: AuthUser, sent: dict[str, dict[str, str]]
) -> None:
    headers = {**user.headers, **sent.get("headers", {})}

    response = await served.client.get(
        STREAM, headers=headers, params=sent.get("params", {})
    )

    assert response.status_code == 422


async def test_the_replay_goes_back_a_day_at_most(
    served: Served, user: AuthUser, other_user: AuthUser, session: AsyncSession
) -> None:
    post = await create_post(served.client, user)
    await _notified(served, post["id"], other_user, 3)
    oldest, *recent = await _ids(served, user)
    await session.execute(
        update(Notification)
        .where(Notification.id == UUID(recent[0]))
        .values(created_at=utcnow() - timedelta(days=2))
    )
    long_ago = "1000000-" + "0" * 32

    async with served.stream(user, params={"resume_after": long_ago}) as opened:
        missed = await opened.live()

    assert [json.loads(e.data or "")["id"] for e in missed] == [oldest, recent[1]]


def _metric(text: str, name: str) -> float:
    [value] = [
        float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith(name + " ")
    ]
    return value


async def test_metrics_count_open_streams_apart_from_requests_in_flight(
    served: Served, user: AuthUser
) -> None:
    async def metrics() -> tuple[float, float]:
        text = (await served.client.get("/metrics")).text
        return (
            _metric(text, "http_event_streams_open"),
            _metric(text, "http_requests_in_flight"),
        )

    before = await metrics()
    async with served.stream(user) as opened:
        await opened.live()
        during = await metrics()
    await opened.ended()
    after = await metrics()

    assert during == (before[0] + 1, before[1])
    assert after == before
