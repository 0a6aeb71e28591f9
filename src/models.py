"""What the ORM models of every domain share: columns, the edit of a
versioned row, and the maintained counts of lists."""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    SmallInteger,
    String,
    cast,
    column,
    delete,
    exists,
    func,
    inspect,
    select,
    table,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base, utcnow
from src.exceptions import ConcurrentEdit


class UUIDPrimaryKey:
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-1)


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Versioned:
    """An editable row: when it was last edited (null until then), and its
    version, raised by every edit and sent to clients as the ETag.
    """

    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)
    version: Mapped[int] = mapped_column(server_default=text("1"))


async def apply_edit(
    session: AsyncSession,
    model: type[Versioned],
    *,
    row_id: UUID,
    read_version: int,
    values: Mapping[str, Any],
) -> datetime:
    """Apply `values` to the row, if it is still at the version that was read;
    returns the edit's time.

    `ConcurrentEdit` otherwise: two concurrent edits cannot both apply (on
    PostgreSQL the second waits for the first, then matches no row).
    """
    edited_at = utcnow()
    (key,) = inspect(model).primary_key
    edited = await session.scalar(
        update(model)
        .where(key == row_id, model.version == read_version)
        .values(**values, updated_at=edited_at, version=read_version + 1)
        .returning(model.version)
    )
    if edited is None:
        raise ConcurrentEdit
    return edited_at


# The owner of lists that belong to no one (the feed of every post).
GLOBAL_OWNER = UUID(int=0)


class ListName(StrEnum):
    """The counted lists (the migration that adds the counts names them too)."""

    POSTS = "posts"
    USER_POSTS = "user_posts"
    POST_COMMENTS = "post_comments"
    POST_ATTACHMENTS = "post_attachments"
    NOTIFICATIONS = "notifications"
    UNREAD_NOTIFICATIONS = "unread_notifications"


USER_LISTS = (
    ListName.USER_POSTS,
    ListName.NOTIFICATIONS,
    ListName.UNREAD_NOTIFICATIONS,
)
POST_LISTS = (ListName.POST_COMMENTS, ListName.POST_ATTACHMENTS)


class ListCount(Base):
    """How many items a list holds, kept exact by database triggers in the
    transaction of every insert and delete, cascades included (migration
    2026-12-02_add_list_counts). The feed's count is spread over slots,
    summed on read, so that concurrent posts do not queue on one row.
    """

    __tablename__ = "list_count"

    # A ListName.
    list_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The user or post the list belongs to; GLOBAL_OWNER for the feed.
    owner_id: Mapped[UUID] = mapped_column(primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


def list_total(list_name: ListName, owner: Any = GLOBAL_OWNER) -> Select[int]:
    """How many items the list of `owner` (an id, or a column to correlate
    with) holds: a sum over its slots, not a count of its items.
    """
    # sum() of bigints is a numeric on PostgreSQL: read it back as an integer.
    total: ColumnElement[int] = cast(
        func.coalesce(func.sum(ListCount.total), 0), BigInteger
    )
    return select(total).where(
        ListCount.list_name == list_name, ListCount.owner_id == owner
    )


async def purge_orphaned_counts(session: AsyncSession) -> int:
    """Delete the counts of lists whose post or user is gone; returns how many.

    Nothing reads them, but nothing else removes them either.
    """
    removed = 0
    for names, owners in ((USER_LISTS, "auth_user"), (POST_LISTS, "post")):
        owner = table(owners, column("id"))
        result = await session.execute(
            delete(ListCount)
            .where(
                ListCount.list_name.in_(names),
                ~exists().where(owner.c.id == ListCount.owner_id),
            )
            .returning(ListCount.slot)
        )
        removed += len(result.all())
    return removed
