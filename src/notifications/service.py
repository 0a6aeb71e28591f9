from datetime import datetime
from functools import cache
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import User
from src.database.base import utcnow
from src.database.fast import AnySelect
from src.database.session import ReadBind
from src.models import ListName, list_total
from src.notifications.constants import NotificationType
from src.notifications.models import Notification
from src.pagination import Fetched, PaginationParams, fetch_page


async def notify_comment_created(
    session: AsyncSession,
    *,
    post_creator_id: UUID,
    post_id: UUID,
    comment_id: UUID,
    actor_id: UUID,
) -> Notification | None:
    """Tell the post's creator about a new comment, unless they wrote it.

    Added to the caller's session, so it is committed with the comment or
    not at all.
    """
    if actor_id == post_creator_id:
        return None
    notification = Notification(
        user_id=post_creator_id,
        actor_id=actor_id,
        type=NotificationType.COMMENT_CREATED,
        post_id=post_id,
        comment_id=comment_id,
    )
    session.add(notification)
    return notification


async def get_notification(
    session: AsyncSession, *, notification_id: UUID, user_id: UUID
) -> Notification | None:
    """The notification if it belongs to `user_id`, else None."""
    return await session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


class NotificationRow(NamedTuple):
    """A notification as a list reads it, with its actor's name."""

    id: UUID
    type: NotificationType
    post_id: UUID
    comment_id: UUID
    actor_id: UUID
    actor_username: str
    created_at: datetime
    read_at: datetime | None


@cache
def _list_statements(unread: bool | None) -> tuple[AnySelect, AnySelect]:
    """The rows and the total of the list of all, unread or read
    notifications of the user bound as `user_id`, built once.
    """
    user_id = bindparam("user_id", type_=Notification.user_id.type)
    conditions: list[ColumnElement[bool]] = [Notification.user_id == user_id]
    if unread is not None:
        conditions.append(
            Notification.read_at.is_(None)
            if unread
            else Notification.read_at.is_not(None)
        )
    count: AnySelect
    if unread is None:
        count = list_total(ListName.NOTIFICATIONS, user_id)
    elif unread:
        count = list_total(ListName.UNREAD_NOTIFICATIONS, user_id)
    else:
        count = select(
            list_total(ListName.NOTIFICATIONS, user_id).scalar_subquery()
            - list_total(ListName.UNREAD_NOTIFICATIONS, user_id).scalar_subquery()
        )
    rows = (
        select(
            Notification.id,
            Notification.type,
            Notification.post_id,
            Notification.comment_id,
            Notification.actor_id,
            User.username,
            Notification.created_at,
            Notification.read_at,
        )
        .join(User, User.id == Notification.actor_id)
        .where(*conditions)
    )
    return rows, count


async def list_notifications(
    bind: ReadBind,
    *,
    user_id: UUID,
    pagination: PaginationParams,
    unread: bool | None = None,
) -> Fetched[NotificationRow]:
    """The user's notifications, newest first; `unread` keeps unread or read."""
    rows, count = _list_statements(unread)
    page = await fetch_page(
        bind,
        rows,
        count,
        pagination,
        order=(Notification.created_at, Notification.id),
        descending=True,
        parameters={"user_id": user_id},
    )
    return page.map(NotificationRow._make)


async def mark_read(session: AsyncSession, *, notification_id: UUID) -> None:
    """Mark one notification read; the first read time is kept."""
    await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def mark_all_read(session: AsyncSession, *, user_id: UUID) -> None:
    """Mark every unread notification of the user read."""
    await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
