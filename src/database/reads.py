"""Reading rows: named statements, built once, run one way.

Every read a route serves (a post by id, the pages of the lists and their
totals) is a `Statement`: a name, the select it is built from (on first
use) and what its rows become (`PostRow._make`). A new column goes into the
select and the row type, and every reader of the row gets it. `fetch_one`
and `fetch_all` run a statement on a read bind (the pool in autocommit: a
connection is borrowed for the statement only) or in a unit of work.

On asyncpg a statement runs on the driver's own connection: SQLAlchemy's
execution and result layers cost as much CPU as the rest of a cached read
(docs/decisions/fast-read-path.md). What SQLAlchemy would do is done here
too: bind processors on the parameters, result processors on the columns
(UTCDateTime), one compilation per statement (one preparation per
connection, by the driver), and a connection that fails mid-statement
leaves the pool, a lost one reported as a disconnect (a 503). Elsewhere
(SQLite) SQLAlchemy runs the same select. tests/test_reads.py holds the
adapter to that contract on both databases.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import TracebackType
from typing import Any, NamedTuple, Self

from sqlalchemy import Dialect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from src.database.session import ReadBind
from src.database.unit_of_work import UnitOfWork

type AnySelect = Select[*tuple[Any, ...]]
# A row's values in the order of the statement's columns.
type FetchedRow = Sequence[Any]
# Where a statement can run: the pool, a connection, or a unit of work's
# transaction.
type Readable = ReadBind | UnitOfWork


@dataclass(frozen=True, eq=False)
class Statement[R]:
    """A read, by name: its select (built on first use) and its row type."""

    name: str
    build: Callable[[], AnySelect] = field(repr=False)
    make: Callable[[FetchedRow], R] = field(repr=False)

    @cached_property
    def select(self) -> AnySelect:
        return self.build()


# Every registered statement, by name (for tests, and to find one).
STATEMENTS: dict[str, Statement[Any]] = {}


def register[R](statement: Statement[R]) -> Statement[R]:
    """Add `statement` to `STATEMENTS`; a name is used once."""
    if statement.name in STATEMENTS:
        raise ValueError(f"statement {statement.name!r} is declared twice")
    STATEMENTS[statement.name] = statement
    return statement


def statement[R](
    name: str, make: Callable[[FetchedRow], R]
) -> Callable[[Callable[[], AnySelect]], Statement[R]]:
    """Register the decorated function's select as statement `name`, whose
    rows become `make(row)`."""

    def declare(build: Callable[[], AnySelect]) -> Statement[R]:
        return register(Statement(name, build, make))

    return declare


def first_column(row: FetchedRow) -> Any:
    """The row type of a statement that selects one value (a total)."""
    return row[0]


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


class _DriverStatement(NamedTuple):
    name: str
    sql: str
    # Each positional parameter: its name and its type's bind processor.
    parameters: tuple[tuple[str, _Processor | None], ...]
    # Values bound when the statement was built (literals in its clauses).
    bound: dict[str, Any]
    # The columns (by position) whose type converts what the driver returns.
    processors: tuple[tuple[int, _Processor], ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        arguments = []
        for name, process in self.parameters:
            value = values[name] if name in values else self.bound[name]
            arguments.append(value if process is None else process(value))
        return arguments

    def convert(self, record: Sequence[Any]) -> FetchedRow:
        if not self.processors:
            return record
        values = list(record)
        for index, process in self.processors:
            values[index] = process(values[index])
        return values


# Bounded: one entry per statement (and page variant) and dialect.
@lru_cache(maxsize=256)
def _driver_statement(statement: Statement[Any], dialect: Dialect) -> _DriverStatement:
    select = statement.select
    compiled = select.compile(dialect=dialect)
    parameters = tuple(
        (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
        for name in compiled.positiontup or ()
    )
    types = [column.type.dialect_impl(dialect) for column in select.selected_columns]
    processors = tuple(
        (index, processor)
        for index, impl in enumerate(types)
        if (processor := impl.result_processor(dialect, None))
    )
    return _DriverStatement(
        statement.name, str(compiled), parameters, compiled.params, processors
    )


async def _send(
    call: Callable[..., Awaitable[Any]],
    prepared: _DriverStatement,
    values: Mapping[str, Any],
) -> Any:
    """`call` (the driver's fetch or fetchrow) on the statement, in a span
    when tracing is on."""
    arguments = prepared.arguments(values)
    if _tracer is None:
        return await call(prepared.sql, *arguments)
    with _tracer.start_as_current_span(
        prepared.name,
        attributes={"db.system": "postgresql", "db.statement": prepared.sql},
    ):
        return await call(prepared.sql, *arguments)


class Reader:
    """Statements on one connection of `readable` for the `async with`
    block: the driver's own on asyncpg, SQLAlchemy's otherwise.

    `custom_plans`: PostgreSQL plans each statement for its values. A
    prepared statement otherwise moves to one generic plan after five runs,
    which suits a lookup by key but not a search, where the values decide
    between two indexes (docs/decisions/search.md).
    """

    def __init__(self, readable: Readable, *, custom_plans: bool = False) -> None:
        self._readable = readable
        self._custom_plans = custom_plans
        # SQLAlchemy's connection (not asyncpg), and whether we opened it.
        self._connection: AsyncConnection | None = None
        self._opened = False
        # asyncpg: the connection the driver's was taken from.
        self._borrowed: AsyncConnection | None = None
        self._pooled: PoolProxiedConnection | None = None
        self._driver: Any = None
        self._dialect: Dialect = (
            readable.session.get_bind()
            if isinstance(readable, UnitOfWork)
            else readable
        ).dialect
        self._planning_set = False

    async def __aenter__(self) -> Self:
        readable = self._readable
        if isinstance(readable, UnitOfWork):
            readable = await readable.session.connection()
        if readable.dialect.driver != "asyncpg":
            if isinstance(readable, AsyncConnection):
                self._connection = readable
            else:
                self._connection = await readable.connect()
                self._opened = True
        elif isinstance(readable, AsyncConnection):
            self._borrowed = readable
            self._driver = (await readable.get_raw_connection()).driver_connection
        else:
            self._pooled = await readable.raw_connection()
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
        if self._opened and self._connection is not None:
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
        if self._borrowed is not None and exc is not None and self._driver.is_closed():
            # A connection lost under a unit of work (or a test): as
            # SQLAlchemy would, it is invalidated and reported as a disconnect.
            await self._borrowed.invalidate(exc)
            raise DBAPIError("read", None, exc, connection_invalidated=True) from exc
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

    async def all[R](
        self, statement: Statement[R], values: Mapping[str, Any]
    ) -> list[R]:
        """Every row of `statement`, made into its row type."""
        make = statement.make
        if self._connection is not None:
            result = await self._connection.execute(statement.select, values)
            return [make(row) for row in result.all()]
        prepared = _driver_statement(statement, self._dialect)
        records = await _send((await self._driver_ready()).fetch, prepared, values)
        return [make(prepared.convert(record)) for record in records]

    async def one[R](
        self, statement: Statement[R], values: Mapping[str, Any]
    ) -> R | None:
        """The first row of `statement`, or None."""
        if self._connection is not None:
            result = await self._connection.execute(statement.select, values)
            row = result.first()
            return None if row is None else statement.make(row)
        prepared = _driver_statement(statement, self._dialect)
        record = await _send((await self._driver_ready()).fetchrow, prepared, values)
        return None if record is None else statement.make(prepared.convert(record))


async def fetch_one[R](
    readable: Readable, statement: Statement[R], **values: Any
) -> R | None:
    """The first row of `statement` with `values`, on a connection borrowed
    for just this statement (see `Reader`)."""
    async with Reader(readable) as reader:
        return await reader.one(statement, values)


async def fetch_all[R](
    readable: Readable, statement: Statement[R], **values: Any
) -> list[R]:
    """Every row of `statement` with `values` (see `Reader`)."""
    async with Reader(readable) as reader:
        return await reader.all(statement, values)
