"""Whether a post's title or content contains a text, ignoring case: the
condition of `GET /posts?q=` (docs/decisions/search.md).

One condition, compiled for each database: on PostgreSQL a `LIKE` on the
lowercased copies, which its trigram indexes serve; on SQLite a phrase
query on the FTS5 trigram index `post_search` (migration
`2026-12-06_sqlite_post_search`), whose phrases match substrings of three
characters or more. The statement binds both values: `pattern` (a LIKE
pattern) and `phrase` (an FTS5 phrase).

SQLite's planner cannot tell a rare text from a common one: it would
gather and sort every post holding a common word. So on SQLite a search
first counts its matches in the index, up to `COMMON_MATCHES`; a page of
a text found that often is looked for along the newest posts instead
(`PostContainsScanning`), which meets its matches at once. Its total is
counted through the index all the same (`src/posts/lists.py`). PostgreSQL
plans each search for its text and needs no count.
"""

from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from src.database.reads import AnySelect, Readable, fetch_one, first_column, statement
from src.database.unit_of_work import UnitOfWork
from src.posts.constants import LIKE_ESCAPE
from src.posts.models import Post

# Matches past which a text is common on SQLite (see above).
COMMON_MATCHES = 2000


class PostContains(ColumnElement[bool]):
    """True for the posts whose title or content contains the searched
    text; its values are the parameters `pattern` and `phrase`."""

    type = Boolean()
    inherit_cache = True
    # A condition in itself: SQLite must not get `... = 1` (which hides the
    # rowid lookup from its planner).
    _is_implicitly_boolean = True


class PostContainsScanning(PostContains):
    """`PostContains`, read along the posts rather than the index on
    SQLite: for a text most posts hold."""

    inherit_cache = True


@compiles(PostContains)
@compiles(PostContainsScanning)
@compiles(PostContainsScanning, "sqlite")
def _like(_: PostContains, compiler: SQLCompiler, **kw: Any) -> str:
    # ILIKE, but the rows' side was lowercased when they were written.
    pattern = func.lower(bindparam("pattern", type_=Post.content.type))
    condition = or_(
        Post.title_lower.like(pattern, escape=LIKE_ESCAPE),
        Post.content_lower.like(pattern, escape=LIKE_ESCAPE),
    )
    # In parentheses: it is ANDed with the other conditions.
    return str(compiler.process(condition.self_group(), **kw))


@compiles(PostContains, "sqlite")
def _full_text(_: PostContains, compiler: SQLCompiler, **kw: Any) -> str:
    # `phrase` is a bound parameter's placeholder, never the text itself.
    placeholder = compiler.process(bindparam("phrase", type_=String()), **kw)
    return (
        "(post.rowid IN (SELECT rowid FROM post_search "  # noqa: S608
        f"WHERE post_search MATCH {placeholder}))"
    )


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards escaped."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


def phrase(text: str) -> str:
    """An FTS5 phrase matching `text` as it is (quotes doubled)."""
    return '"' + text.replace('"', '""') + '"'


def search_parameters(text: str) -> dict[str, str]:
    """The values `PostContains` binds, for `text`."""
    return {"pattern": like_pattern(text), "phrase": phrase(text)}


@statement("post_search_matches", first_column)
def _matches() -> AnySelect:
    # SQLite only (the FTS5 index): matches of `phrase`, up to `limit`.
    found: AnySelect = (
        select(literal_column("rowid"))
        .select_from(table("post_search"))
        .where(text("post_search MATCH :phrase"))
        .limit(bindparam("limit"))
    )
    return select(func.count()).select_from(found.subquery())


async def is_common(readable: Readable, text_: str) -> bool:
    """Whether `text_` is in so many posts that a search should walk the
    newest posts rather than gather the matches (SQLite; never on
    PostgreSQL, whose planner sees it)."""
    bind = readable.session.get_bind() if isinstance(readable, UnitOfWork) else readable
    if bind.dialect.name != "sqlite":
        return False
    found = await fetch_one(
        readable, _matches, phrase=phrase(text_), limit=COMMON_MATCHES
    )
    return (found or 0) >= COMMON_MATCHES
