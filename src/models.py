"""Columns shared by the ORM models of every domain."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import utcnow


class UUIDPrimaryKey:
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4, sort_order=-1)


class CreatedAt:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
