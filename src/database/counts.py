"""Counted lists: the totals of lists, kept by the database.

A list's `total` is not counted when a page is read: triggers keep it in
`list_count`, in the transaction of every insert, delete (cascades
included) and update that moves a row in or out of the list
(docs/decisions/list-counts.md). Each domain declares its lists once, in its
`models.py`, with `counted_list(...)`; everything else follows from the
declaration: the total a page reads (`list_total`), the triggers
(src/database/count_triggers.py, whose SQL the migrations carry), a full
recount after a bulk load (`recount_sql`) and the clean-up of the counts of
deleted owners (`purge_orphaned_counts`).
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

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
    select,
    table,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base

# The owner of a list that belongs to no one (every published post).
GLOBAL_OWNER = UUID(int=0)
FEED_SLOTS = 16


class ListCount(Base):
    """How many items a list holds (see the module's docstring). A list that
    belongs to no one is spread over slots, summed on read."""

    __tablename__ = "list_count"

    # A CountedList's name.
    list_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The row the list belongs to; GLOBAL_OWNER for a list of everyone's.
    owner_id: Mapped[UUID] = mapped_column(primary_key=True)
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class CountedList:
    """A list whose total the database keeps.

    Its items are the rows of `table` that satisfy `where` (SQL, with
    `{row}` standing for the row), one list per value of the column `owner`
    (rows of `owner_table`), or one list of all when `owner` is None. An
    update of a column in `moved_by` can move a row in or out of the list
    (`key`, the table's primary key, tells a row before and after).
    """

    name: str
    table: str
    owner: str | None = None
    owner_table: str | None = None
    where: str = "true"
    moved_by: tuple[str, ...] = ()
    key: tuple[str, ...] = ("id",)

    def condition(self, row: str) -> str:
        """`where` for the row named `row` (parenthesised: it may be negated)."""
        return f"({self.where.format(row=row)})"


# Every declared list, by name, in declaration order.
COUNTED_LISTS: dict[str, CountedList] = {}


def counted_list(
    name: str,
    *,
    table: str,
    owner: str | None = None,
    owner_table: str | None = None,
    where: str = "true",
    moved_by: tuple[str, ...] = (),
    key: tuple[str, ...] = ("id",),
) -> CountedList:
    """Declare a counted list (once, in the models of the domain it lists)."""
    if name in COUNTED_LISTS:
        raise ValueError(f"counted list {name!r} is declared twice")
    if (owner is None) != (owner_table is None):
        raise ValueError("a list's owner column and owner table go together")
    declared = CountedList(name, table, owner, owner_table, where, moved_by, key)
    COUNTED_LISTS[name] = declared
    return declared


def list_total(counted: CountedList, owner: Any = GLOBAL_OWNER) -> Select[int]:
    """How many items the list of `owner` (an id, or a column to correlate
    with) holds: a sum over its slots, not a count of its items.
    """
    # sum() of bigints is a numeric on PostgreSQL: read it back as an integer.
    total: ColumnElement[int] = cast(
        func.coalesce(func.sum(ListCount.total), 0), BigInteger
    )
    return select(total).where(
        ListCount.list_name == counted.name, ListCount.owner_id == owner
    )


async def purge_orphaned_counts(session: AsyncSession) -> int:
    """Delete the counts of lists whose owner is gone; returns how many.

    Nothing reads them, but nothing else removes them either.
    """
    by_owner_table: dict[str, list[str]] = {}
    for counted in COUNTED_LISTS.values():
        if counted.owner_table is not None:
            by_owner_table.setdefault(counted.owner_table, []).append(counted.name)
    removed = 0
    for owner_table, names in sorted(by_owner_table.items()):
        owners = table(owner_table, column("id"))
        result = await session.execute(
            delete(ListCount)
            .where(
                ListCount.list_name.in_(names),
                ~exists().where(owners.c.id == ListCount.owner_id),
            )
            .returning(ListCount.slot)
        )
        removed += len(result.all())
    return removed


def recount_sql(counted: CountedList, dialect: str) -> list[str]:
    """Statements that count `counted` again from its rows (after a bulk
    load that suspended the triggers): its counters are replaced."""
    owner = "r." + counted.owner if counted.owner else global_owner_sql(dialect)
    grouping = f" GROUP BY {owner}" if counted.owner else " HAVING count(*) > 0"
    return [
        f"DELETE FROM list_count WHERE list_name = '{counted.name}'",
        "INSERT INTO list_count (list_name, owner_id, slot, total) "
        f"SELECT '{counted.name}', {owner}, 0, count(*) FROM {counted.table} AS r "
        f"WHERE {counted.condition('r')}{grouping}",
    ]


def global_owner_sql(dialect: str) -> str:
    """GLOBAL_OWNER as a literal of `dialect`."""
    if dialect == "postgresql":
        return f"'{GLOBAL_OWNER}'::uuid"
    return f"'{GLOBAL_OWNER.hex}'"
