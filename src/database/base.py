"""The declarative base every ORM model derives from, and its column types."""

import json
import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Dialect,
    MetaData,
    String,
    Uuid,
    bindparam,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
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

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        # asyncpg already returns a `timestamptz` in UTC: no call per value.
        if dialect.driver == "asyncpg":
            return None
        return super().result_processor(dialect, coltype)


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


# SQLSTATEs (PostgreSQL) of a transaction another one made fail: a
# deadlock, a serialization failure. Nothing is wrong with either request.
_COLLISION_STATES = frozenset({"40P01", "40001"})


def foreign_key_violation(exc: IntegrityError) -> bool:
    """Whether `exc` is a row referring to one that is not there (any more)."""
    if getattr(exc.orig, "sqlstate", None) == "23503":
        return True
    message = str(exc.orig)
    return "FOREIGN KEY constraint failed" in message or (
        "violates foreign key constraint" in message
    )


def transactions_collided(exc: DBAPIError) -> bool:
    """Whether the database failed this transaction to let a concurrent one
    through (a deadlock, a serialization failure): retrying may succeed."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state in _COLLISION_STATES or "deadlock detected" in str(orig)


def utcnow() -> datetime:
    return datetime.now(UTC)


def insert_ignoring_duplicates(
    model: type[Base], dialect: str
) -> postgresql.Insert | sqlite.Insert:
    """`INSERT ... ON CONFLICT DO NOTHING` into `model`'s table: a row that
    would break a unique constraint is skipped, not an error (with
    RETURNING, only the rows inserted come back)."""
    construct = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return construct(model).on_conflict_do_nothing()


class IdList(TypeDecorator[Collection[UUID]]):
    """Ids as one parameter: an array on PostgreSQL, a JSON array elsewhere
    (read back with json_each). One statement serves any number of ids."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.ARRAY(Uuid()))
        return dialect.type_descriptor(String())

    def process_bind_param(
        self, value: Collection[UUID] | None, dialect: Dialect
    ) -> Any:
        if value is None or dialect.name == "postgresql":
            return value if value is None else list(value)
        return json.dumps([item.hex for item in value])


class _InIds(ColumnElement[bool]):
    inherit_cache = True
    type = Boolean()
    # How SQLAlchemy's statement cache tells two of these apart.
    _traverse_internals = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("parameter", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[UUID], parameter: ColumnElement[Any]):
        self.column = column
        self.parameter = parameter


@compiles(_InIds)
def _in_json_array(element: _InIds, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    parameter = compiler.process(element.parameter, **kw)
    # Both are SQL the compiler rendered, the ids a bound parameter.
    return f"{column} IN (SELECT value FROM json_each({parameter}))"  # noqa: S608


@compiles(_InIds, "postgresql")
def _any_of_array(element: _InIds, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    parameter = compiler.process(element.parameter, **kw)
    return f"{column} = ANY({parameter})"


def in_ids(
    column: ColumnElement[UUID] | InstrumentedAttribute[UUID], name: str
) -> ColumnElement[bool]:
    """`column` is one of the ids bound as `name` (a collection of UUIDs):
    one parameter, whatever their number, on the driver's path too."""
    if isinstance(column, InstrumentedAttribute):
        column = column.__clause_element__()
    return _InIds(column, bindparam(name, type_=IdList()))
