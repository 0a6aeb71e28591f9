"""Hot reads on the driver connection itself, for plain-column statements."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from types import TracebackType
from typing import Any, NamedTuple, Self

from sqlalchemy import Dialect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from src.database.session import ReadBind

type AnySelect = Select[*tuple[Any, ...]]


type _Processor = Callable[[Any], Any]

CUSTOM_PLANS = "force_custom_plan"

# Set while tracing is on (src/web/tracing.py): statements sent straight to
# the driver bypass SQLAlchemy's instrumented events, so they get their span
# here. None (off) costs one comparison.
_tracer: Any = None


def trace_statements(tracer: Any) -> None:
    """Give statements run on the driver a span from `tracer` (None: stop)."""
    global _tracer  # noqa: PLW0603 (one process-wide switch, as tracing is)
    _tracer = tracer


async def _send(
    call: Callable[..., Awaitable[Any]],
    prepared: "_DriverStatement",
    parameters: Mapping[str, Any],
) -> Any:
    """`call` (the driver's fetch or fetchrow) on the statement, in a span
    when tracing is on."""
    arguments = prepared.arguments(parameters)
    if _tracer is None:
        return await call(prepared.sql, *arguments)
    with _tracer.start_as_current_span(
        prepared.sql.split(None, 1)[0],
        attributes={"db.system": "postgresql", "db.statement": prepared.sql},
    ):
        return await call(prepared.sql, *arguments)


class _DriverStatement(NamedTuple):
    sql: str
    parameter_names: tuple[str, ...]
    # Values bound when the statement was built (literals in its clauses).
    bound: dict[str, Any]
    # The columns (by position) whose type converts what the driver returns.
    processors: tuple[tuple[int, _Processor], ...]

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        return [
            parameters[name] if name in parameters else self.bound[name]
            for name in self.parameter_names
        ]

    def convert(self, record: Sequence[Any]) -> "FetchedRow":
        if not self.processors:
            return record
        values = list(record)
        for index, process in self.processors:
            values[index] = process(values[index])
        return values


# Bounded: a statement built per call would otherwise stay here for good.
@lru_cache(maxsize=128)
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


class Reader:
    """Read-only statements on one connection borrowed from `bind` for the
    `async with` block: the driver's own on asyncpg, SQLAlchemy's otherwise.

    For hot reads of plain columns. On asyncpg each statement, compiled once
    (build it once too: it is cached by identity), runs on the driver
    connection: SQLAlchemy's connection, execution and result layers cost as
    much CPU as the rest of the request together (docs/benchmarks.md). Column
    types that convert values (UTCDateTime) are applied as SQLAlchemy would.

    `custom_plans`: PostgreSQL plans each statement for its values. A
    prepared statement otherwise moves to one generic plan after five runs,
    which suits a lookup by key but not a search, where the values decide
    between two indexes (docs/decisions/search.md).
    """

    def __init__(self, bind: ReadBind, *, custom_plans: bool = False) -> None:
        self._bind = bind
        self._custom_plans = custom_plans
        self._connection: AsyncConnection | None = None
        self._pooled: PoolProxiedConnection | None = None
        self._driver: Any = None
        self._planning_set = False

    async def __aenter__(self) -> Self:
        bind = self._bind
        if bind.dialect.driver != "asyncpg":
            # A test's own connection is used as is; the engine lends one.
            self._connection = (
                bind if isinstance(bind, AsyncConnection) else await bind.connect()
            )
        elif isinstance(bind, AsyncConnection):
            self._driver = (await bind.get_raw_connection()).driver_connection
        else:
            self._pooled = await bind.raw_connection()
            self._driver = self._pooled.driver_connection
        return self

    async def _driver_ready(self) -> Any:
        # Set here, not on entry: a failure then goes through __aexit__,
        # which hands the connection back (invalidated).
        if self._custom_plans and not self._planning_set:
            await self._driver.execute(f"SET plan_cache_mode = {CUSTOM_PLANS}")
            self._planning_set = True
        return self._driver

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._connection is not None and self._connection is not self._bind:
            await self._connection.close()
        reset_failed: Exception | None = None
        if self._planning_set and exc is None:
            # After an error the connection is invalidated instead.
            try:
                await self._driver.execute("RESET plan_cache_mode")
            except Exception as failed:
                if self._pooled is None:
                    raise
                reset_failed = failed
        if self._pooled is None:
            return
        pooled, self._pooled = self._pooled, None
        try:
            if reset_failed is not None:
                # The rows were read; only this connection's state is in doubt.
                await greenlet_spawn(pooled.invalidate, reset_failed)
            elif exc is not None:
                # As SQLAlchemy does for its own statements: a connection
                # that failed mid-statement leaves the pool, and a lost one
                # is reported as a disconnect (answered 503), not as a bug.
                lost = self._driver.is_closed()
                await greenlet_spawn(pooled.invalidate, exc)
                if lost:
                    raise DBAPIError(
                        "read", None, exc, connection_invalidated=True
                    ) from exc
        finally:
            # Returning a connection may close it (pool overflow): that awaits.
            await greenlet_spawn(pooled.close)

    async def all(
        self, statement: AnySelect, parameters: Mapping[str, Any]
    ) -> list[FetchedRow]:
        """Every row of `statement`, values by position."""
        if self._connection is not None:
            result = await self._connection.execute(statement, parameters)
            return list(result.all())
        prepared = _driver_statement(statement, self._bind.dialect)
        driver = await self._driver_ready()
        records = await _send(driver.fetch, prepared, parameters)
        return [prepared.convert(record) for record in records]

    async def one(
        self, statement: AnySelect, parameters: Mapping[str, Any]
    ) -> FetchedRow | None:
        """The first row of `statement`, or None."""
        if self._connection is not None:
            result = await self._connection.execute(statement, parameters)
            return result.first()
        prepared = _driver_statement(statement, self._bind.dialect)
        driver = await self._driver_ready()
        record = await _send(driver.fetchrow, prepared, parameters)
        return None if record is None else prepared.convert(record)


async def fetch_one(
    bind: ReadBind, statement: AnySelect, parameters: Mapping[str, Any]
) -> FetchedRow | None:
    """The first row of a read-only `statement`, on a connection borrowed
    for just this statement (see `Reader`).
    """
    async with Reader(bind) as reader:
        return await reader.one(statement, parameters)
