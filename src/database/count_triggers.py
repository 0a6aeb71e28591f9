"""The triggers that keep the counted lists (src/database/counts.py).

PostgreSQL counts per statement (transition tables): a bulk insert or a
cascading delete updates each counter once, in a fixed order, and a list
that belongs to no one is spread over FEED_SLOTS slots chosen by
transaction, so that concurrent writers do not queue on one row. SQLite
counts per row (it has no statement triggers); its writers are serialised
anyway.

The migrations carry the SQL rendered here as it was when they were
written; tests/test_list_counts.py compares the database's triggers with
the declarations and prints the SQL of the migration a change needs.
"""

from typing import NamedTuple

from src.database.counts import (
    COUNTED_LISTS,
    FEED_SLOTS,
    CountedList,
    global_owner_sql,
)


class Trigger(NamedTuple):
    """One trigger of the counted lists: its name, its table, the statements
    that create it, and (PostgreSQL) the body of its function."""

    name: str
    table: str
    create: tuple[str, ...]
    function_body: str | None = None


_UPSERT = (
    "INSERT INTO list_count (list_name, owner_id, slot, total) {select} "
    "ON CONFLICT (list_name, owner_id, slot) "
    "DO UPDATE SET total = list_count.total + excluded.total"
)


def _pg_count(
    counted: CountedList, rows: str, row: str, condition: str, sign: int
) -> str:
    """PostgreSQL: count the rows of a transition table (or a join of two)
    that satisfy `condition` into their counters."""
    if counted.owner is None:
        slot = f"(txid_current() % {FEED_SLOTS})::smallint"
        select_sql = (
            f"SELECT '{counted.name}', {global_owner_sql('postgresql')}, {slot}, "
            f"{sign} * count(*) FROM {rows} WHERE {condition} HAVING count(*) > 0"
        )
    else:
        owner = f"{row}.{counted.owner}"
        select_sql = (
            f"SELECT '{counted.name}', {owner}, 0, {sign} * count(*) "
            f"FROM {rows} WHERE {condition} GROUP BY {owner} ORDER BY {owner}"
        )
    return _UPSERT.format(select=select_sql)


def _sqlite_count(counted: CountedList, row: str, condition: str, sign: int) -> str:
    """SQLite: count one row (NEW or OLD) into its counter."""
    owner = f"{row}.{counted.owner}" if counted.owner else global_owner_sql("sqlite")
    return _UPSERT.format(
        select=f"SELECT '{counted.name}', {owner}, 0, {sign} WHERE {condition}"
    )


def _pg_triggers(table_name: str, lists: list[CountedList]) -> list[Trigger]:
    triggers = []
    for event, transition, sign in (
        ("INSERT", "NEW TABLE AS new_rows", 1),
        ("DELETE", "OLD TABLE AS old_rows", -1),
    ):
        rows = "new_rows" if sign > 0 else "old_rows"
        body = "; ".join(
            _pg_count(c, f"{rows} AS r", "r", c.condition("r"), sign) for c in lists
        )
        triggers.append(_pg_trigger(table_name, event, transition, body))
    moving = [c for c in lists if c.moved_by]
    if moving:
        on = " AND ".join(f"n.{column} = o.{column}" for column in moving[0].key)
        joined = f"old_rows AS o JOIN new_rows AS n ON {on}"
        body = "; ".join(
            statement
            for c in moving
            for statement in (
                _pg_count(
                    c, joined, "n", f"{c.condition('n')} AND NOT {c.condition('o')}", 1
                ),
                _pg_count(
                    c, joined, "o", f"{c.condition('o')} AND NOT {c.condition('n')}", -1
                ),
            )
        )
        triggers.append(
            _pg_trigger(
                table_name,
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                body,
            )
        )
    return triggers


def _pg_trigger(table_name: str, event: str, transition: str, body: str) -> Trigger:
    name = f"{table_name}_count_{event.lower()}"
    function_body = f" BEGIN {body}; RETURN NULL; END "
    create = (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
        f"AS ${name}${function_body}${name}$",
        f"CREATE TRIGGER {name} AFTER {event} ON {table_name} "
        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
    )
    return Trigger(name, table_name, create, function_body)


def _sqlite_triggers(table_name: str, lists: list[CountedList]) -> list[Trigger]:
    triggers = []
    for event, row, sign in (("INSERT", "NEW", 1), ("DELETE", "OLD", -1)):
        body = "; ".join(_sqlite_count(c, row, c.condition(row), sign) for c in lists)
        name = f"{table_name}_count_{event.lower()}"
        create = (
            f"CREATE TRIGGER {name} AFTER {event} ON {table_name} BEGIN {body}; END"
        )
        triggers.append(Trigger(name, table_name, (create,)))
    moving = [c for c in lists if c.moved_by]
    if moving:
        columns = sorted({name for c in moving for name in c.moved_by})
        body = "; ".join(
            statement
            for c in moving
            for statement in (
                _sqlite_count(
                    c, "NEW", f"{c.condition('NEW')} AND NOT {c.condition('OLD')}", 1
                ),
                _sqlite_count(
                    c, "OLD", f"{c.condition('OLD')} AND NOT {c.condition('NEW')}", -1
                ),
            )
        )
        name = f"{table_name}_count_update"
        create = (
            f"CREATE TRIGGER {name} AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table_name} BEGIN {body}; END"
        )
        triggers.append(Trigger(name, table_name, (create,)))
    return triggers


def trigger_ddl(dialect: str, lists: list[CountedList] | None = None) -> list[Trigger]:
    """The triggers that keep the declared lists (or `lists`) counted.

    A migration carries their SQL as it was when written; a change to a
    declaration needs a migration that replaces them (the test that compares
    the database with this says so).
    """
    # In a fixed order, whatever the order the domains were imported in.
    declared = sorted(
        COUNTED_LISTS.values() if lists is None else lists, key=lambda c: c.name
    )
    tables = sorted({c.table for c in declared})
    render = _pg_triggers if dialect == "postgresql" else _sqlite_triggers
    return [
        trigger
        for table_name in tables
        for trigger in render(
            table_name, [c for c in declared if c.table == table_name]
        )
    ]


def drop_trigger_ddl(dialect: str, trigger: Trigger) -> list[str]:
    """The statements that remove `trigger` (and its function)."""
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {trigger.name} ON {trigger.table}",
            f"DROP FUNCTION IF EXISTS {trigger.name}()",
        ]
    return [f"DROP TRIGGER IF EXISTS {trigger.name}"]
