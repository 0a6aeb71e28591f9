from uuid import UUID

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from src.database.base import utcnow
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


async def list_notifications(
    session: AsyncSession,
    *,
    user_id: UUID,
    pagination: PaginationParams,
    unread: bool | None = None,
) -> Fetched[Notification]:
    """The user's notifications, newest first; `unread` keeps unread or read."""
    conditions: list[ColumnElement[bool]] = [Notification.user_id == user_id]
    if unread is not None:
        conditions.append(
            Notification.read_at.is_(None)
            if unread
            else Notification.read_at.is_not(None)
        )
    if unread is None:
        count = list_total(ListName.NOTIFICATIONS, user_id)
    elif unread:
        count = list_total(ListName.UNREAD_NOTIFICATIONS, user_id)
    else:
        count = select(
            list_total(ListName.NOTIFICATIONS, user_id).scalar_subquery()
            - list_total(ListName.UNREAD_NOTIFICATIONS, user_id).scalar_subquery()
        )
    page = await fetch_page(
        session,
        select(Notification).where(*conditions).options(joinedload(Notification.actor)),
        count,
        pagination,
        order=(Notification.created_at, Notification.id),
        descending=True,
    )
    return page.map(lambda row: row[0])


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
