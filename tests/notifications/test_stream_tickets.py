"""Stream tickets: how a browser's EventSource, which cannot send a header,
opens its user's stream."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import utcnow
from src.database.unit_of_work import UnitsOfWork
from src.domains import job_registry
from src.jobs.registry import JobContext
from src.notifications.jobs import purge_expired_tickets
from src.notifications.models import StreamTicket
from tests.factories import AuthUser, create_api_key, create_comment, create_post
from tests.notifications.conftest import Served
from tests.streams import app_state_of

pytestmark = pytest.mark.anyio

STREAM = "/notifications/stream"
TICKETS = "/notifications/stream-tickets"


async def _ticket(served: Served, headers: dict[str, str]) -> str:
    response = await served.client.post(TICKETS, headers=headers)
    assert response.status_code == 201, response.text
    ticket: str = response.json()["ticket"]
    return ticket


async def test_a_ticket_opens_its_users_stream_once(
    served: Served, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(served.client, user)
    issued = await served.client.post(TICKETS, headers=user.headers)
    ticket = issued.json()["ticket"]

    async with served.stream(params={"ticket": ticket}) as opened:
        await opened.live()
        await create_comment(served.client, post["id"], other_user)
        event = await opened.next_event()
    again = await served.client.get(STREAM, params={"ticket": ticket})

    assert issued.status_code == 201
    assert set(issued.json()) == {"ticket", "expires_at"}
    assert event.event == "notification"
    assert again.status_code == 401
    assert again.json()["detail"] == "Invalid, spent or expired stream ticket"


async def test_an_expired_or_unknown_ticket_is_refused(
    served: Served, user: AuthUser, session: AsyncSession
) -> None:
    ticket = await _ticket(served, user.headers)
    await session.execute(
        update(StreamTicket).values(expires_at=utcnow() - timedelta(seconds=1))
    )

    expired = await served.client.get(STREAM, params={"ticket": ticket})
    unknown = await served.client.get(STREAM, params={"ticket": "x" * 43})
    too_long = await served.client.get(STREAM, params={"ticket": "x" * 500})

    assert expired.status_code == 401
    assert unknown.status_code == 401
    assert too_long.status_code == 422


async def test_a_suspended_members_ticket_opens_nothing(
    served: Served, user: AuthUser, moderator: AuthUser
) -> None:
    ticket = await _ticket(served, user.headers)
    suspended = await served.client.put(
        f"/moderation/users/{user.id}/suspended",
        json={"reason": "Spam"},
        headers=moderator.headers,
    )

    response = await served.client.get(STREAM, params={"ticket": ticket})

    assert suspended.status_code == 204
    assert response.status_code == 401


async def test_tickets_need_sign_in_and_the_scope(
    served: Served, user: AuthUser
) -> None:
    without = await create_api_key(served.client, user, "posts:read")
    with_scope = await create_api_key(served.client, user, "notifications:read")

    anonymous = await served.client.post(TICKETS)
    refused = await served.client.post(TICKETS, headers={"X-API-Key": without})
    allowed = await served.client.post(TICKETS, headers={"X-API-Key": with_scope})

    assert anonymous.status_code == 401
    assert refused.status_code == 403
    assert allowed.status_code == 201


async def test_the_clean_up_deletes_expired_tickets_only(
    served: Served,
    user: AuthUser,
    session: AsyncSession,
    session_units_of_work: UnitsOfWork,
) -> None:
    await _ticket(served, user.headers)
    await session.execute(
        update(StreamTicket).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    live = await _ticket(served, user.headers)
    state = app_state_of(served.manager)
    context = JobContext(
        settings=state.settings,
        units_of_work=session_units_of_work,
        storage=state.storage,
        registry=job_registry(),
    )

    removed = await purge_expired_tickets(context, timedelta(0))

    assert removed == 1
    assert await session.scalar(select(func.count()).select_from(StreamTicket)) == 1
    async with served.stream(params={"ticket": live}) as opened:
        assert opened.status == 200
