"""add_list_counts

The totals of lists, kept by triggers in the transaction of every insert and
delete (cascades included), so that a page's `total` reads a few rows
instead of counting the table. Existing data is counted once here.

PostgreSQL counts per statement (transition tables): a bulk insert or a
cascading delete updates each counter once, in a fixed order, and the feed's
counter is spread over 16 slots chosen by transaction, so concurrent posts
do not queue on one row. SQLite counts per row (it has no statement
triggers); its writers are serialised anyway.

Revision ID: 5c2e8d1a7b93
Revises: 3b1f2a7c9d40
Create Date: 2026-12-02 07:35:00.000000+00:00

"""

from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa

from alembic import op

revision: str = "5c2e8d1a7b93"
down_revision: str | Sequence[str] | None = "3b1f2a7c9d40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FEED_SLOTS = 16


class Counted(NamedTuple):
    """A list counted over the rows of `table`."""

    list_name: str
    table: str
    # The column naming the list's owner; None for the feed.
    owner: str | None
    # SQL a row must satisfy to be in the list.
    where: str = "true"


COUNTED = (
    Counted("posts", "post", None),
    Counted("user_posts", "post", "creator_id"),
    Counted("post_comments", "post_comment", "post_id"),
    Counted("post_attachments", "post_attachment", "post_id"),
    Counted("notifications", "notification", "user_id"),
    Counted("unread_notifications", "notification", "user_id", "read_at IS NULL"),
)
TABLES = ("post", "post_comment", "post_attachment", "notification")
EVENTS = ("insert", "delete")

UPSERT = (
    "INSERT INTO list_count (list_name, owner_id, slot, total) {select} "
    "ON CONFLICT (list_name, owner_id, slot) "
    "DO UPDATE SET total = list_count.total + excluded.total"
)


def _global_owner(dialect: str) -> str:
    return (
        "'00000000-0000-0000-0000-000000000000'::uuid"
        if dialect == "postgresql"
        else "'00000000000000000000000000000000'"
    )


def _statement_upsert(counted: Counted, rows: str, sign: int, dialect: str) -> str:
    """PostgreSQL: count a transition table's rows into their counters."""
    if counted.owner is None:
        slot = f"(txid_current() % {FEED_SLOTS})::smallint"
        select = (
            f"SELECT '{counted.list_name}', {_global_owner(dialect)}, {slot}, "
            f"{sign} * count(*) FROM {rows} WHERE {counted.where} "
            "HAVING count(*) > 0"
        )
    else:
        select = (
            f"SELECT '{counted.list_name}', {counted.owner}, 0, {sign} * count(*) "
            f"FROM {rows} WHERE {counted.where} "
            f"GROUP BY {counted.owner} ORDER BY {counted.owner}"
        )
    return UPSERT.format(select=select)


def _row_upsert(counted: Counted, row: str, sign: int, dialect: str) -> str:
    """SQLite: count one row (NEW or OLD) into its counter."""
    owner = f"{row}.{counted.owner}" if counted.owner else _global_owner(dialect)
    where = counted.where.replace("read_at", f"{row}.read_at")
    select = f"SELECT '{counted.list_name}', {owner}, 0, {sign} WHERE {where}"
    return UPSERT.format(select=select)


def _create_postgresql_triggers() -> None:
    for table in TABLES:
        lists = [c for c in COUNTED if c.table == table]
        for event, rows, sign in (
            ("INSERT", "new_rows", 1),
            ("DELETE", "old_rows", -1),
        ):
            name = f"{table}_count_{event.lower()}"
            body = ";\n".join(
                _statement_upsert(c, rows, sign, "postgresql") for c in lists
            )
            transition = (
                "NEW TABLE AS new_rows" if sign > 0 else "OLD TABLE AS old_rows"
            )
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    # Marking notifications read or unread moves them between the two counts.
    unread = next(c for c in COUNTED if c.list_name == "unread_notifications")
    read_now = unread._replace(where="true")
    moved = (
        "(SELECT o.user_id FROM old_rows o JOIN new_rows n ON n.id = o.id "
        "WHERE (o.read_at IS NULL) AND NOT (n.read_at IS NULL)) AS {direction}"
    )
    moves = (
        _statement_upsert(read_now, moved.format(direction="read"), -1, "postgresql"),
        _statement_upsert(
            read_now,
            moved.replace(
                "(o.read_at IS NULL) AND NOT", "NOT (o.read_at IS NULL) AND"
            ).format(direction="unread"),
            1,
            "postgresql",
        ),
    )
    op.execute(
        "CREATE FUNCTION notification_count_update() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN {moves[0]}; {moves[1]}; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER notification_count_update AFTER UPDATE ON notification "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION notification_count_update()"
    )


def _create_sqlite_triggers() -> None:
    for table in TABLES:
        lists = [c for c in COUNTED if c.table == table]
        for event, row, sign in (("INSERT", "NEW", 1), ("DELETE", "OLD", -1)):
            body = "; ".join(_row_upsert(c, row, sign, "sqlite") for c in lists)
            name = f"{table}_count_{event.lower()}"
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END"
            )
    op.execute(
        "CREATE TRIGGER notification_count_update AFTER UPDATE OF read_at "
        "ON notification WHEN (OLD.read_at IS NULL) != (NEW.read_at IS NULL) BEGIN "
        + UPSERT.format(
            select="SELECT 'unread_notifications', NEW.user_id, 0, "
            "CASE WHEN NEW.read_at IS NULL THEN 1 ELSE -1 END WHERE true"
        )
        + "; END"
    )


def _backfill(dialect: str) -> None:
    for counted in COUNTED:
        if counted.owner is None:
            select = (
                f"SELECT '{counted.list_name}', {_global_owner(dialect)}, 0, count(*) "
                f"FROM {counted.table} WHERE {counted.where} HAVING count(*) > 0"
            )
        else:
            select = (
                f"SELECT '{counted.list_name}', {counted.owner}, 0, count(*) "
                f"FROM {counted.table} WHERE {counted.where} GROUP BY {counted.owner}"
            )
        op.execute(UPSERT.format(select=select))


def upgrade() -> None:
    op.create_table(
        "list_count",
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "list_name", "owner_id", "slot", name=op.f("list_count_pkey")
        ),
    )
    dialect = op.get_bind().dialect.name
    _backfill(dialect)
    if dialect == "postgresql":
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    triggers = [
        *((f"{table}_count_{event}", table) for table in TABLES for event in EVENTS),
        ("notification_count_update", "notification"),
    ]
    for name, table in triggers:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("list_count")
