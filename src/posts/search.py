"""Whether a post's title or content contains a text, ignoring case: the
condition of `GET /posts?q=` (docs/decisions/search.md).

One condition, compiled for each database: on PostgreSQL a `LIKE` on the
lowercased copies, which its trigram indexes serve; on SQLite a phrase
query on the FTS5 trigram index `post_search` (migration
`2026-12-06_sqlite_post_search`), whose phrases match substrings of three
characters or more. The statement binds both values: `pattern` (a LIKE
pattern) and `phrase` (an FTS5 phrase).
"""

from typing import Any

from sqlalchemy import Boolean, ColumnElement, String, bindparam, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from src.posts.constants import LIKE_ESCAPE
from src.posts.models import Post


class PostContains(ColumnElement[bool]):
    """True for the posts whose title or content contains the searched
    text; its values are the parameters `pattern` and `phrase`."""

    type = Boolean()
    inherit_cache = True
    # A condition in itself: SQLite must not get `... = 1` (which hides the
    # rowid lookup from its planner).
    _is_implicitly_boolean = True


@compiles(PostContains)
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
