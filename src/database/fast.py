"""Hot reads on the driver connection itself, for plain-column statements."""

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Dialect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import greenlet_spawn

from src.database.session import ReadBind

type AnySelect = Select[*tuple[Any, ...]]


type _Processor = Callable[[Any], Any]


class _DriverStatement(NamedTuple):
    sql: str
    parameter_names: tuple[str, ...]
    # Values bound when the statement was built (literals in its clauses).
    bound: dict[str, Any]
    # The columns (by position) whose type converts what the driver returns.
    processors: tuple[tuple[int, _Processor], ...]


# Bounded: a statement built per call would otherwise stay here for good.
@lru_cache(maxsize=64)
def _driver_statement(statement: AnySelect, dialect: Dialect) -> _DriverStatement:
    compiled = statement.compile(dialect=dialect)
    processors = tuple(
        (index, processor)
        for index, column in enumerate(statement.selected_columns)
        if (
            processor := column.type.dialect_impl(dialect).result_processor(
                dialect, None
            )
        )
    )
    return _DriverStatement(
        str(compiled), tuple(compiled.positiontup or ()), compiled.params, processors
    )


# A row's values in the order of the statement's columns.
type FetchedRow = Sequence[Any]


async def fetch_one(
    bind: ReadBind, statement: AnySelect, parameters: Mapping[str, Any]
) -> FetchedRow | None:
    """The first row of a read-only `statement` (values by position), or None.

    For hot reads of plain columns. On asyncpg the statement, compiled once
    (build it once too), runs on the driver connection itself, borrowed from
    the pool for just this call: SQLAlchemy's connection, execution and result
    layers cost as much CPU as the rest of the request together
    (docs/benchmarks.md). Column types that convert values (UTCDateTime) are
    applied as SQLAlchemy would. Other drivers take SQLAlchemy's usual path.
    """
    if bind.dialect.driver != "asyncpg":
        # The test's own connection is used as is; the engine lends one.
        borrowed = (
            nullcontext(bind) if isinstance(bind, AsyncConnection) else bind.connect()
        )
        async with borrowed as connection:
            result = await connection.execute(statement, parameters)
            return result.first()
    driver_statement = _driver_statement(statement, bind.dialect)
    arguments = [
        parameters[name] if name in parameters else driver_statement.bound[name]
        for name in driver_statement.parameter_names
    ]
    if isinstance(bind, AsyncConnection):
        raw = await bind.get_raw_connection()
        return await _fetchrow(raw.driver_connection, driver_statement, arguments)
    pooled = await bind.raw_connection()
    driver: Any = pooled.driver_connection
    try:
        return await _fetchrow(driver, driver_statement, arguments)
    except BaseException as exc:
        # As SQLAlchemy does for its own statements: a connection that failed
        # mid-statement leaves the pool, and a lost one is reported as a
        # disconnect (answered 503), not as a bug.
        lost = driver.is_closed()
        await greenlet_spawn(pooled.invalidate, exc)
        if lost:
            raise DBAPIError(
                driver_statement.sql, None, exc, connection_invalidated=True
            ) from exc
        raise
    finally:
        # Returning a connection may close it (pool overflow), which awaits.
        await greenlet_spawn(pooled.close)


async def _fetchrow(
    driver: Any, statement: _DriverStatement, arguments: list[Any]
) -> FetchedRow | None:
    record = await driver.fetchrow(statement.sql, *arguments)
    if record is None or not statement.processors:
        row: FetchedRow | None = record
        return row
    values = list(record)
    for index, process in statement.processors:
        values[index] = process(values[index])
    return values
