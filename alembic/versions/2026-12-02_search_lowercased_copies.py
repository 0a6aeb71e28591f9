"""search_lowercased_copies

Searches match lowercased copies of a post's title and content, kept by the
database (generated columns), instead of ILIKE on the originals: ILIKE folds
the case of every row it reads, which made counting the matches of a common
word five times slower than a plain LIKE on text folded once, at write time.
Same matches: ILIKE is LIKE on lower() of both sides.

PostgreSQL stores the copies and moves the trigram indexes onto them (the
table is rewritten: a lock on `post` for about a minute per million posts
here). SQLite computes them on read (it cannot add a stored column), as its
ILIKE did; its scan is acceptable at embedded sizes.

Revision ID: 8d4a6f2e1c57
Revises: 5c2e8d1a7b93
Create Date: 2026-12-02 11:30:00.000000+00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "8d4a6f2e1c57"
down_revision: str | Sequence[str] | None = "5c2e8d1a7b93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED_COLUMNS = ("title", "content")


def _trigram_index(column: str) -> None:
    op.create_index(
        f"post_{column}_trgm_idx",
        "post",
        [column],
        postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for column in SEARCHED_COLUMNS:
            op.execute(
                f"ALTER TABLE post ADD COLUMN {column}_lower TEXT "
                f"GENERATED ALWAYS AS (lower({column})) VIRTUAL"
            )
        return
    op.execute(
        "ALTER TABLE post "
        + ", ".join(
            f"ADD COLUMN {column}_lower TEXT "
            f"GENERATED ALWAYS AS (lower({column})) STORED"
            for column in SEARCHED_COLUMNS
        )
    )
    for column in SEARCHED_COLUMNS:
        op.drop_index(f"post_{column}_trgm_idx", table_name="post")
        _trigram_index(f"{column}_lower")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for column in SEARCHED_COLUMNS:
        if postgresql:
            op.drop_index(f"post_{column}_lower_trgm_idx", table_name="post")
            _trigram_index(column)
        op.execute(f"ALTER TABLE post DROP COLUMN {column}_lower")
