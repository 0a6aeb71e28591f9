"""When a notification stream ends, and what it sends when nothing happens:
signing out everywhere, suspension, deletion, a client that stops reading,
too many streams, the server stopping; a rolled-back write sends nothing."""

import dataclasses
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI

from src.config import Settings
from src.database.unit_of_work import UnitsOfWork
from src.notifications.config import NotificationsConfig
from src.notifications.constants import NotificationType
from src.notifications.service import notify
from tests.factories import AuthUser, create_comment, create_post
from tests.notifications.conftest import Served
from tests.streams import FakeConnection
from tests.utils import AppFactory

pytestmark = pytest.mark.anyio

STREAM = "/notifications/stream"


def _with_streams(settings: Settings, **changes: Any) -> Settings:
    config = NotificationsConfig(_env_file=None, **changes)
    return dataclasses.replace(settings, notifications=config)


@pytest.mark.parametrize(
    "how",
    ["logout everywhere", "password change", "suspension", "deletion"],
)
async def test_the_users_streams_end(
    served: Served, user: AuthUser, moderator: AuthUser, how: str
) -> None:
    client = served.client
    async with served.stream(user) as first, served.stream(user) as second:
        await first.live()
        await second.live()
        if how == "logout everywhere":
            done = await client.delete("/auth/users/me/tokens", headers=user.headers)
        elif how == "password change":
            done = await client.put(
                "/auth/users/me/password",
                json={
                    "current_password": user.password,
                    "new_password": "Other-horse-7!x",
                },
                headers=user.headers,
            )
        elif how == "suspension":
            done = await client.put(
                f"/moderation/users/{user.id}/suspended",
                json={"reason": "Spam"},
                headers=moderator.headers,
            )
        else:
            done = await client.delete("/auth/users/me", headers=user.headers)
        assert done.status_code in {200, 204}, done.text

        await first.ended()
        await second.ended()

    assert served.hub.open_streams == 0


async def test_another_users_streams_stay_open(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, other_user)
    async with served.stream(other_user) as theirs:
        await theirs.live()
        await served.client.delete("/auth/users/me/tokens", headers=user.headers)
        await create_comment(served.client, post["id"], user)

        event = await theirs.next_event()

    assert event.event == "notification"


@pytest.fixture
def small_streams(app_factory: AppFactory, settings: Settings) -> FastAPI:
    return app_factory(
        settings=_with_streams(
            settings, STREAM_BACKLOG=2, STREAM_MAX_PER_USER=2, STREAM_HEARTBEAT=0.05
        )
    )


@pytest.fixture
def app(small_streams: FastAPI) -> FastAPI:
    return small_streams


async def test_a_client_that_stops_reading_is_cut_off_when_its_backlog_overflows(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    connection = FakeConnection()
    async with served.stream(user, connection=connection) as stalled:
        await stalled.live()
        stalled.reading = False
        # Three events for a backlog of two, none read.
        for _ in range(3):
            await create_comment(served.client, post["id"], other_user)

        assert connection.aborted
        assert served.hub.open_streams == 0


async def test_a_client_that_reads_again_in_time_gets_what_waited(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    async with served.stream(user) as slow:
        await slow.live()
        slow.reading = False
        for _ in range(2):
            await create_comment(served.client, post["id"], other_user)
        slow.resume_reading()

        first, second = await slow.next_event(), await slow.next_event()

    assert first.event == second.event == "notification"
    assert (first.id or "") < (second.id or "")


async def test_a_third_stream_of_a_user_ends_the_oldest(
    served: Served, user: AuthUser
) -> None:
    async with (
        served.stream(user) as oldest,
        served.stream(user) as middle,
        served.stream(user) as newest,
    ):
        await oldest.ended()
        assert not middle.finished
        assert not newest.finished
        assert served.hub.open_streams == 2


async def test_a_quiet_stream_sends_a_comment_line(
    served: Served, user: AuthUser
) -> None:
    async with served.stream(user) as opened:
        await opened.live()
        block = await opened.next_block()

    assert block.comment == "ping"
    assert block.event is None


async def test_the_server_stopping_ends_the_stream(
    served: Served, user: AuthUser
) -> None:
    connection = FakeConnection()
    async with served.stream(user, connection=connection) as opened:
        await opened.live()
        assert connection.on_shutdown is not None

        connection.on_shutdown()

        await opened.ended()
    assert opened.body.endswith(b"\n\n")
    assert not connection.aborted


async def test_a_rolled_back_write_sends_nothing(
    served: Served,
    user: AuthUser,
    other_user: AuthUser,
    session_units_of_work: UnitsOfWork,
) -> None:
    units = session_units_of_work
    units.listen(served.hub.after_commit)

    async def notified(*, fail: bool) -> None:
        async with units() as uow:
            await notify(
                uow,
                user_id=UUID(user.id),
                actor_id=UUID(other_user.id),
                kind=NotificationType.USER_FOLLOWED,
            )
            if fail:
                raise RuntimeError("the request failed after notifying")

    async with served.stream(user) as opened:
        await opened.live()
        with pytest.raises(RuntimeError):
            await notified(fail=True)
        await notified(fail=False)

        event = await opened.next_event()
    listed = await served.client.get("/notifications", headers=user.headers)

    [committed] = listed.json()["items"]
    assert listed.json()["total"] == 1
    assert event.data is not None
    assert committed["id"] in event.data
