"""The declarative base every ORM model derives from, and its column types."""

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, MetaData
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

POSTGRES_INDEXES_NAMING_CONVENTION = {
    "ix": "%(column_0_label)s_idx",
    "uq": "%(table_name)s_%(column_0_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so values are
    stored as naive UTC and given their zone back when loaded.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=POSTGRES_INDEXES_NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


_PG_CONSTRAINT = re.compile(r'unique constraint "(?P<name>[^"]+)"')
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(?P<name>[^']+)'")
_SQLITE_COLUMN = re.compile(
    r"UNIQUE constraint failed: (?P<table>\w+)\.(?P<column>\w+)"
)


def unique_violation(exc: IntegrityError) -> str | None:
    """The name of the unique constraint `exc` violated, if that is what it is.

    SQLite names only the columns of a plain constraint; the name is then
    rebuilt with the naming convention (`{table}_{column}_key`).
    """
    message = str(exc.orig)
    if match := _PG_CONSTRAINT.search(message) or _SQLITE_INDEX.search(message):
        return match["name"]
    if match := _SQLITE_COLUMN.search(message):
        return f"{match['table']}_{match['column']}_key"
    return None


def utcnow() -> datetime:
    return datetime.now(UTC)
