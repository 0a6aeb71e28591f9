"""The lists of posts: everyone's published posts (by author, by tag, by
search), and a user's drafts. Public lists hold published posts only,
newest published first, each page read from an index in that order."""

from functools import partial
from itertools import product
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import ColumnElement, bindparam, func, literal_column, select

from src.database.counts import list_total
from src.database.reads import (
    AnySelect,
    Readable,
    Statement,
    first_column,
    register,
    statement,
)
from src.pagination import Fetched, Order, PaginationParams, fetch_page
from src.posts.constants import SEARCH_TOTAL_LIMIT
from src.posts.models import POSTS, USER_DRAFTS, USER_POSTS, Post
from src.posts.search import (
    PostContains,
    PostContainsScanning,
    is_common,
    search_parameters,
)
from src.posts.service import PostRow, post_columns, post_row
from src.tags.models import TAG_POSTS, PostTag, Tag

# Written as literals, so that the database matches them with its partial
# indexes' own conditions.
_PUBLISHED = Post.status == literal_column("'published'")
_DRAFT = Post.status == literal_column("'draft'")


class _Shape(NamedTuple):
    by_creator: bool
    tagged: bool
    search: bool
    # A search for a text most posts hold (src/posts/search.py).
    common: bool = False


def _tag_id() -> ColumnElement[UUID]:
    return select(Tag.id).where(Tag.name == bindparam("tag")).scalar_subquery()


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    if shape.tagged:
        # Read along the tag's rows, which carry the creator and the time.
        conditions = [PostTag.tag_id == _tag_id(), PostTag.published_at.is_not(None)]
        creator = PostTag.creator_id
    else:
        conditions, creator = [_PUBLISHED], Post.creator_id
    if shape.by_creator:
        conditions.append(creator == bindparam("creator_id"))
    if shape.search:
        conditions.append(PostContainsScanning() if shape.common else PostContains())
    return conditions


def _rows(shape: _Shape) -> AnySelect:
    rows = post_columns()
    if shape.tagged:
        rows = rows.join(PostTag, PostTag.post_id == Post.id)
    return rows.where(*_conditions(shape))


def _total(shape: _Shape) -> AnySelect:
    if shape.search or (shape.tagged and shape.by_creator):
        # Counted, not kept: a search's at most SEARCH_TOTAL_LIMIT (counting
        # every match of a common word would read them all); an author's
        # posts under a tag are few.
        matching = select(Post.id if not shape.tagged else PostTag.post_id)
        if shape.tagged:
            matching = matching.select_from(PostTag)
            if shape.search:
                matching = matching.join(Post, Post.id == PostTag.post_id)
        # Counted through the index even for a common text: however many
        # posts hold it, the count stops at its limit or at the last match,
        # where walking the posts would read them all for a text that is
        # common but not dense.
        matching = matching.where(*_conditions(shape._replace(common=False)))
        if shape.search:
            matching = matching.limit(SEARCH_TOTAL_LIMIT)
        return select(func.count()).select_from(matching.subquery())
    if shape.tagged:
        return list_total(TAG_POSTS, _tag_id())
    if shape.by_creator:
        return list_total(USER_POSTS, bindparam("creator_id"))
    return list_total(POSTS)


def _name(shape: _Shape) -> str:
    suffixes = ("_by_creator", "_tagged", "_search", "_common")
    return "posts" + "".join(
        suffix for on, suffix in zip(shape, suffixes, strict=True) if on
    )


# Each shape of the public list: its rows and its total, whose values
# (creator_id, tag, pattern) are bound parameters.
_LISTS = {
    shape: (
        register(Statement(_name(shape), partial(_rows, shape), post_row)),
        register(
            Statement(f"{_name(shape)}_total", partial(_total, shape), first_column)
        ),
    )
    for shape in (_Shape(*flags) for flags in product((False, True), repeat=4))
    if shape.search or not shape.common
}


async def list_posts(
    readable: Readable,
    *,
    pagination: PaginationParams,
    creator_id: UUID | None = None,
    tag: str | None = None,
    search: str | None = None,
) -> Fetched[PostRow]:
    """Published posts, newest published first: all of them, or one
    creator's, or those under one tag (normalised), or matching `search`
    (case-insensitive substring of the title or content, found through a
    trigram index on either database), or any of these together. A search's total
    counts at most SEARCH_TOTAL_LIMIT matches.
    """
    common = bool(search) and await is_common(readable, search or "")
    shape = _Shape(creator_id is not None, tag is not None, bool(search), common)
    rows, count = _LISTS[shape]
    parameters: dict[str, object] = {"creator_id": creator_id, "tag": tag}
    if search:
        parameters |= search_parameters(search)
    order: Order = (
        (PostTag.published_at, PostTag.post_id)
        if shape.tagged
        else (Post.published_at, Post.id)
    )
    return await fetch_page(
        readable,
        rows,
        count,
        pagination,
        order=order,
        descending=True,
        parameters=parameters,
        # A rare word is found through the trigram index, a common one
        # along the newest posts: which one depends on the word.
        custom_plans=bool(search),
    )


@statement("user_drafts", post_row)
def _drafts() -> AnySelect:
    return post_columns().where(_DRAFT, Post.creator_id == bindparam("creator_id"))


@statement("user_drafts_total", first_column)
def _drafts_total() -> AnySelect:
    return list_total(USER_DRAFTS, bindparam("creator_id"))


async def list_drafts(
    readable: Readable, *, creator_id: UUID, pagination: PaginationParams
) -> Fetched[PostRow]:
    """A user's drafts, most recently created first."""
    return await fetch_page(
        readable,
        _drafts,
        _drafts_total,
        pagination,
        order=(Post.created_at, Post.id),
        descending=True,
        parameters={"creator_id": creator_id},
    )
