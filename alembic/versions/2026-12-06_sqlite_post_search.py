"""sqlite_post_search

On SQLite, a full-text index of the posts' titles and contents with the
trigram tokenizer (FTS5), kept by triggers: a search (`GET /posts?q=`)
finds a substring through it instead of reading every post
(docs/decisions/search.md). PostgreSQL keeps its trigram indexes.

A later migration that rebuilds the `post` table on SQLite (batch mode)
drops these triggers and renumbers the rows: it must run `_create` again.

Revision ID: 6c3a8e1f4b92
Revises: 2d7f4a9c1e83
Create Date: 2026-12-06 01:30:00.000000+00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "6c3a8e1f4b92"
down_revision: str | Sequence[str] | None = "2d7f4a9c1e83"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROW = "rowid, title, content"
_STATEMENTS = (
    # External content: the index holds the trigrams, `post` the text.
    "CREATE VIRTUAL TABLE post_search USING fts5("
    "title, content, content='post', content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER post_search_insert AFTER INSERT ON post BEGIN "
    f"INSERT INTO post_search({_ROW}) VALUES (new.rowid, new.title, new.content); END",
    "CREATE TRIGGER post_search_delete AFTER DELETE ON post BEGIN "
    f"INSERT INTO post_search(post_search, {_ROW}) "
    "VALUES ('delete', old.rowid, old.title, old.content); END",
    "CREATE TRIGGER post_search_update AFTER UPDATE OF title, content ON post BEGIN "
    f"INSERT INTO post_search(post_search, {_ROW}) "
    "VALUES ('delete', old.rowid, old.title, old.content); "
    f"INSERT INTO post_search({_ROW}) VALUES (new.rowid, new.title, new.content); END",
    # The posts already there.
    "INSERT INTO post_search(post_search) VALUES ('rebuild')",
)


def _create() -> None:
    for statement in _STATEMENTS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _create()


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER post_search_{trigger}")
        op.execute("DROP TABLE post_search")
