from datetime import timedelta

from fastapi import APIRouter, status

from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CurrentUser
from src.auth.exceptions import InvalidToken
from src.auth.permissions import Require
from src.exceptions import responses
from src.notifications import service, streams
from src.notifications.dependencies import (
    OwnedNotification,
    StreamCursor,
    StreamUserId,
)
from src.notifications.exceptions import InvalidStreamTicket, NotificationNotFound
from src.notifications.schemas import NotificationResponse, StreamTicketResponse
from src.notifications.utils import notification_response
from src.pagination import Page, PaginationDep
from src.web.dependencies import AppSettings, EventsDep, ReadBindDep, UnitOfWorkDep
from src.web.sse import EventStreamResponse

router = APIRouter(prefix="/notifications", tags=["Notifications"])


@router.get(
    "",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_READ)],
    summary="List my notifications",
    description="Newest first. `unread=true` keeps the unread ones, "
    "`unread=false` the read ones.",
    responses=responses(InvalidToken),
)
async def list_notifications(
    user: CurrentUser,
    pagination: PaginationDep,
    bind: ReadBindDep,
    unread: bool | None = None,
) -> Page[NotificationResponse]:
    page = await service.list_notifications(
        bind, user_id=user.id, pagination=pagination, unread=unread
    )
    return Page[NotificationResponse].create(
        [notification_response(row) for row in page.items], page, pagination
    )


@router.get(
    "/stream",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_READ)],
    response_class=EventStreamResponse,
    # Said here: FastAPI reads a default status from the response class's
    # signature, which this one does not have.
    status_code=status.HTTP_200_OK,
    summary="Stream my notifications",
    description="Server-Sent Events: each new notification as an event "
    "`notification` whose `data` is its JSON (as in the list) and whose `id` "
    "resumes the stream. A reconnect with `Last-Event-ID` (or a first "
    "connection with `resume_after`) is first sent what came after that id, "
    "up to a day back. A comment line comes every 15 s. The stream "
    "ends when the user logs out everywhere, is suspended or deleted; a "
    "client that stops reading is disconnected (it reconnects and misses "
    "nothing). Sign in with `Authorization`, or with a `ticket` "
    "(`POST /notifications/stream-tickets`) from a browser's `EventSource`.",
    responses={
        200: {
            "description": "The stream (`text/event-stream`), open until it ends",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **responses(InvalidToken, InvalidStreamTicket),
    },
)
async def stream_notifications(
    user_id: StreamUserId,
    resume_after: StreamCursor,
    hub: EventsDep,
    bind: ReadBindDep,
    settings: AppSettings,
) -> EventStreamResponse:
    return streams.open_stream(
        hub,
        bind,
        settings.notifications,
        user_id=user_id,
        resume_after=resume_after,
    )


@router.post(
    "/stream-tickets",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_READ)],
    status_code=status.HTTP_201_CREATED,
    summary="Get a ticket for my notification stream",
    description="Single use, valid for a minute: for `EventSource`, which "
    "cannot send an Authorization header "
    "(`new EventSource('/notifications/stream?ticket=' + ticket)`).",
    responses=responses(InvalidToken),
)
async def create_stream_ticket(
    user: CurrentUser, uow: UnitOfWorkDep, settings: AppSettings
) -> StreamTicketResponse:
    ttl = timedelta(seconds=settings.notifications.STREAM_TICKET_TTL)
    ticket, expires_at = streams.issue_ticket(uow, user_id=user.id, ttl=ttl)
    return StreamTicketResponse(ticket=ticket, expires_at=expires_at)


@router.post(
    "/read-all",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark all my notifications read",
    responses=responses(InvalidToken),
)
async def read_all_notifications(user: CurrentUser, uow: UnitOfWorkDep) -> None:
    await service.mark_all_read(uow, user_id=user.id)


@router.post(
    "/{notification_id}/read",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark a notification read",
    responses=responses(InvalidToken, NotificationNotFound),
)
async def read_notification(
    notification: OwnedNotification, uow: UnitOfWorkDep
) -> None:
    await service.mark_read(uow, notification_id=notification.id)
