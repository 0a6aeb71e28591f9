"""What the ORM models of every domain share: columns, and the edit of a
versioned row. (The counted lists are in src/database/counts.py.)"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import inspect, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import utcnow
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
