"""The notification stream (GET /notifications/stream): its events, what a
reconnect replays, and the tickets browsers open it with.

An event's id is the notification's place in the user's list, oldest first:
its creation time in microseconds and its id (`1733480000123456-<hex>`). A
reconnect sends back the last one it saw (`Last-Event-ID`) and is replayed
every notification after it, from the table, within the replay window: a
notification committed while the client was away is not lost.
"""

import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import bindparam, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import User
from src.database.base import utcnow
from src.database.reads import AnySelect, Readable, fetch_all, statement
from src.database.unit_of_work import UnitOfWork
from src.notifications.config import NotificationsConfig
from src.notifications.constants import NOTIFICATION_EVENT
from src.notifications.models import Notification, StreamTicket
from src.notifications.rows import NotificationRow, select_rows
from src.notifications.utils import notification_response
from src.web import events
from src.web.events import Event, EventHub
from src.web.sse import EventStreamResponse

# Microseconds since the epoch (17 digits reach the year 5138), then the id.
EVENT_ID_PATTERN = r"^[0-9]{1,17}-[0-9a-f]{32}$"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_REPLAY_PAGE = 100
_TICKET_BYTES = 32


class Cursor(NamedTuple):
    """A place in a user's notifications, oldest first."""

    created_at: datetime
    id: UUID


def event_id(created_at: datetime, notification_id: UUID) -> str:
    """The stream's id for the notification (see the module's docstring)."""
    aware = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    return f"{(aware - _EPOCH) // _MICROSECOND}-{notification_id.hex}"


def parse_event_id(value: str) -> Cursor | None:
    """The place an event id names; None if it is not one."""
    if not re.fullmatch(EVENT_ID_PATTERN, value):
        return None
    micros, hex_id = value.split("-")
    return Cursor(_EPOCH + int(micros) * _MICROSECOND, UUID(hex=hex_id))


def notification_event(user_id: UUID, row: NotificationRow) -> Event:
    """The stream event of a notification: its JSON as in the lists."""
    return Event(
        events.user_topic(user_id),
        notification_response(row).model_dump_json(),
        name=NOTIFICATION_EVENT,
        id=event_id(row.created_at, row.id),
    )


def publish(uow: UnitOfWork, *, user_id: UUID, row: NotificationRow) -> None:
    """Send the notification to the user's open streams once `uow` commits."""
    events.record(uow, notification_event(user_id, row))


@statement("notifications_since", NotificationRow._make)
def _since() -> AnySelect:
    after = tuple_(
        bindparam("created_at", type_=Notification.created_at.type),
        bindparam("id", type_=Notification.id.type),
    )
    return (
        select_rows(
            Notification.user_id
            == bindparam("user_id", type_=Notification.user_id.type),
            tuple_(Notification.created_at, Notification.id) > after,
        )
        .order_by(Notification.created_at, Notification.id)
        .limit(_REPLAY_PAGE)
    )


async def replay(
    readable: Readable, *, user_id: UUID, after: Cursor, window: timedelta
) -> AsyncIterator[Event]:
    """The user's notifications after `after`, oldest first, none older than
    `window`; a page at a time (no connection is held between pages)."""
    cursor = max(after, Cursor(utcnow() - window, UUID(int=0)))
    while True:
        rows = await fetch_all(
            readable,
            _since,
            user_id=user_id,
            created_at=cursor.created_at,
            id=cursor.id,
        )
        for row in rows:
            yield notification_event(user_id, row)
        if len(rows) < _REPLAY_PAGE:
            return
        cursor = Cursor(rows[-1].created_at, rows[-1].id)


def open_stream(
    hub: EventHub,
    readable: Readable,
    config: NotificationsConfig,
    *,
    user_id: UUID,
    resume_after: Cursor | None,
) -> EventStreamResponse:
    """The user's stream: what they missed after `resume_after`, then what comes."""
    missed = (
        None
        if resume_after is None
        else partial(
            replay,
            readable,
            user_id=user_id,
            after=resume_after,
            window=timedelta(seconds=config.STREAM_REPLAY_WINDOW),
        )
    )
    return EventStreamResponse(
        hub,
        events.user_topic(user_id),
        replay=missed,
        heartbeat=config.STREAM_HEARTBEAT,
        retry_ms=config.STREAM_RETRY_MS,
    )


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(
    uow: UnitOfWork, *, user_id: UUID, ttl: timedelta
) -> tuple[str, datetime]:
    """A new single-use ticket for the user's stream, and when it expires."""
    ticket = secrets.token_urlsafe(_TICKET_BYTES)
    expires_at = utcnow() + ttl
    uow.session.add(
        StreamTicket(user_id=user_id, token_hash=_hash(ticket), expires_at=expires_at)
    )
    return ticket, expires_at


async def redeem_ticket(uow: UnitOfWork, ticket: str) -> UUID | None:
    """Spend the ticket: its user, or None if it is unknown, spent or
    expired, or its user is suspended. One statement: of two requests with
    the same ticket, one gets the user."""
    active = select(User.id).where(User.suspended_at.is_(None))
    user_id: UUID | None = await uow.session.scalar(
        delete(StreamTicket)
        .where(
            StreamTicket.token_hash == _hash(ticket),
            StreamTicket.expires_at > utcnow(),
            StreamTicket.user_id.in_(active),
        )
        .returning(StreamTicket.user_id)
    )
    return user_id


async def purge_expired_tickets(session: AsyncSession) -> int:
    """Delete the tickets past their expiry; returns how many."""
    result = await session.execute(
        delete(StreamTicket)
        .where(StreamTicket.expires_at < utcnow())
        .returning(StreamTicket.id)
    )
    return len(result.all())
