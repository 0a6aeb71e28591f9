from functools import partial
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import User
from src.database.base import utcnow
from src.database.counts import list_total
from src.database.reads import AnySelect, Readable, Statement, first_column, register
from src.database.unit_of_work import UnitOfWork
from src.notifications import streams
from src.notifications.constants import NotificationType
from src.notifications.models import NOTIFICATIONS, UNREAD_NOTIFICATIONS, Notification
from src.notifications.rows import NotificationRow, select_rows
from src.pagination import Fetched, PaginationParams, fetch_page


async def notify(
    uow: UnitOfWork,
    *,
    user_id: UUID,
    actor_id: UUID,
    kind: NotificationType,
    post_id: UUID | None = None,
    comment_id: UUID | None = None,
) -> Notification:
    """Tell `user_id` what `actor_id` did. Added to the caller's unit of
    work, so it is committed with what caused it, or not at all; the user's
    open streams receive it once that commit is done."""
    notification = Notification(
        id=uuid4(),
        user_id=user_id,
        actor_id=actor_id,
        type=kind,
        post_id=post_id,
        comment_id=comment_id,
        created_at=utcnow(),
    )
    uow.session.add(notification)
    actor_username = await uow.session.scalar(
        select(User.username).where(User.id == actor_id)
    )
    row = NotificationRow(
        id=notification.id,
        type=kind,
        post_id=post_id,
        comment_id=comment_id,
        actor_id=actor_id,
        actor_username=actor_username or "",
        created_at=notification.created_at,
        read_at=None,
    )
    streams.publish(uow, user_id=user_id, row=row)
    return notification


async def notify_comment_created(
    uow: UnitOfWork,
    *,
    post_creator_id: UUID,
    post_id: UUID,
    comment_id: UUID,
    actor_id: UUID,
) -> Notification | None:
    """Tell the post's creator about a new comment, unless they wrote it."""
    if actor_id == post_creator_id:
        return None
    return await notify(
        uow,
        user_id=post_creator_id,
        actor_id=actor_id,
        kind=NotificationType.COMMENT_CREATED,
        post_id=post_id,
        comment_id=comment_id,
    )


async def get_notification(
    session: AsyncSession, *, notification_id: UUID, user_id: UUID
) -> Notification | None:
    """The notification if it belongs to `user_id`, else None."""
    return await session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


def _list_rows(unread: bool | None) -> AnySelect:
    user_id = bindparam("user_id", type_=Notification.user_id.type)
    conditions: list[ColumnElement[bool]] = [Notification.user_id == user_id]
    if unread is not None:
        conditions.append(
            Notification.read_at.is_(None)
            if unread
            else Notification.read_at.is_not(None)
        )
    return select_rows(*conditions)


def _list_total(unread: bool | None) -> AnySelect:
    user_id = bindparam("user_id", type_=Notification.user_id.type)
    if unread is None:
        return list_total(NOTIFICATIONS, user_id)
    if unread:
        return list_total(UNREAD_NOTIFICATIONS, user_id)
    return select(
        list_total(NOTIFICATIONS, user_id).scalar_subquery()
        - list_total(UNREAD_NOTIFICATIONS, user_id).scalar_subquery()
    )


# The list of all, unread or read notifications of the user bound as
# `user_id`: its rows and its total.
_LISTS = {
    unread: (
        register(
            Statement(
                f"notifications_{name}",
                partial(_list_rows, unread),
                NotificationRow._make,
            )
        ),
        register(
            Statement(
                f"notifications_{name}_total",
                partial(_list_total, unread),
                first_column,
            )
        ),
    )
    for unread, name in ((None, "all"), (True, "unread"), (False, "read"))
}


async def list_notifications(
    readable: Readable,
    *,
    user_id: UUID,
    pagination: PaginationParams,
    unread: bool | None = None,
) -> Fetched[NotificationRow]:
    """The user's notifications, newest first; `unread` keeps unread or read."""
    rows, count = _LISTS[unread]
    return await fetch_page(
        readable,
        rows,
        count,
        pagination,
        order=(Notification.created_at, Notification.id),
        descending=True,
        parameters={"user_id": user_id},
    )


async def mark_read(uow: UnitOfWork, *, notification_id: UUID) -> None:
    """Mark one notification read; the first read time is kept."""
    await uow.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def mark_all_read(uow: UnitOfWork, *, user_id: UUID) -> None:
    """Mark every unread notification of the user read."""
    await uow.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
