from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header, Query

from src.auth.dependencies import CallerId, CurrentUser
from src.auth.permissions import signs_in_with
from src.exceptions import NotAuthenticated, raises
from src.notifications import service, streams
from src.notifications.exceptions import InvalidStreamTicket, NotificationNotFound
from src.notifications.models import Notification
from src.web.dependencies import ReadSession, UnitsOfWorkDep


@raises(NotificationNotFound)
async def valid_owned_notification(
    notification_id: UUID, user: CurrentUser, session: ReadSession
) -> Notification:
    """The caller's notification; someone else's is a 404, not a 403."""
    notification = await service.get_notification(
        session, notification_id=notification_id, user_id=user.id
    )
    if notification is None:
        raise NotificationNotFound
    return notification


OwnedNotification = Annotated[Notification, Depends(valid_owned_notification)]


@raises(NotAuthenticated, InvalidStreamTicket)
@signs_in_with(
    "StreamTicket",
    {
        "type": "apiKey",
        "in": "query",
        "name": "ticket",
        "description": "A single-use ticket from `POST /notifications/stream-tickets`",
    },
)
async def stream_user_id(
    caller: CallerId,
    units: UnitsOfWorkDep,
    ticket: Annotated[
        str | None,
        Query(
            max_length=128,
            description="A ticket from `POST /notifications/stream-tickets`, "
            "for clients that cannot send a header (`EventSource`)",
        ),
    ] = None,
) -> UUID:
    """Whose stream: the ticket's user (spending it), else the caller."""
    if ticket is not None:
        async with units() as uow:
            user_id = await streams.redeem_ticket(uow, ticket)
        if user_id is None:
            raise InvalidStreamTicket
        return user_id
    if caller is None:
        raise NotAuthenticated
    return caller


StreamUserId = Annotated[UUID, Depends(stream_user_id)]


async def stream_cursor(
    last_event_id: Annotated[
        str | None,
        Header(
            pattern=streams.EVENT_ID_PATTERN,
            description="The last event's id: what came after it is sent first",
        ),
    ] = None,
    resume_after: Annotated[
        str | None,
        Query(
            pattern=streams.EVENT_ID_PATTERN,
            description="As `Last-Event-ID`, for a first connection "
            "(`EventSource` sends the header only when it reconnects)",
        ),
    ] = None,
) -> streams.Cursor | None:
    """Where the client left off, if it says (the header wins)."""
    value = last_event_id or resume_after
    return None if value is None else streams.parse_event_id(value)


StreamCursor = Annotated[streams.Cursor | None, Depends(stream_cursor)]
