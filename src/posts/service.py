"""Posts: read as `PostRow`s through one column list, written in a unit of work."""

from datetime import datetime
from functools import cache
from typing import NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import (
    ColumnElement,
    bindparam,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import User
from src.database.fast import AnySelect, fetch_one
from src.database.session import ReadBind
from src.models import ListName, apply_edit, list_total
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.constants import LIKE_ESCAPE, SEARCH_TOTAL_LIMIT
from src.posts.models import Post
from src.posts.schemas import PostCreate, PostUpdate

logger = structlog.get_logger(__name__)


class PostRow(NamedTuple):
    """A post as it is read: its columns, its creator's name and its count."""

    id: UUID
    title: str
    content: str
    creator_id: UUID
    creator_username: str
    comments_count: int
    created_at: datetime
    updated_at: datetime | None
    version: int


@cache
def _columns() -> AnySelect:
    # In `PostRow`'s order: rows from the driver and from SQLAlchemy alike
    # become a PostRow by position.
    return select(
        Post.id,
        Post.title,
        Post.content,
        Post.creator_id,
        User.username.label("creator_username"),
        Post.comments_count.label("comments_count"),
        Post.created_at,
        Post.updated_at,
        Post.version,
    ).join(User, User.id == Post.creator_id)


@cache
def _by_id() -> AnySelect:
    # Built once: the compiled SQL is reused on every request (the hot path).
    return _columns().where(Post.id == bindparam("post_id"))


async def get_post(bind: ReadBind, post_id: UUID) -> PostRow | None:
    """The post, or None: one statement on a pooled connection, no ORM entity."""
    row = await fetch_one(bind, _by_id(), {"post_id": post_id})
    return None if row is None else PostRow._make(row)


async def _reload(session: AsyncSession, post_id: UUID) -> PostRow:
    row = (await session.execute(_by_id(), {"post_id": post_id})).one()
    return PostRow._make(row)


class _ListShape(NamedTuple):
    by_creator: bool
    search: bool


@cache
def _list_statements(shape: _ListShape) -> tuple[AnySelect, AnySelect]:
    """The rows and the total of one shape of the list of posts, built once:
    their values (creator_id, pattern) are bound parameters.
    """
    conditions: list[ColumnElement[bool]] = []
    if shape.by_creator:
        conditions.append(Post.creator_id == bindparam("creator_id"))
    if shape.search:
        # ILIKE, but the rows' side was lowercased when they were written.
        pattern = func.lower(bindparam("pattern", type_=Post.content.type))
        conditions.append(
            or_(
                Post.title_lower.like(pattern, escape=LIKE_ESCAPE),
                Post.content_lower.like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if shape.search:
        # Counting every match of a common word would read them all.
        matching = select(Post.id).where(*conditions).limit(SEARCH_TOTAL_LIMIT)
        count: AnySelect = select(func.count()).select_from(matching.subquery())
    elif shape.by_creator:
        count = list_total(ListName.USER_POSTS, bindparam("creator_id"))
    else:
        count = list_total(ListName.POSTS)
    return _columns().where(*conditions), count


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards escaped."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


async def list_posts(
    bind: ReadBind,
    *,
    pagination: PaginationParams,
    creator_id: UUID | None = None,
    search: str | None = None,
) -> Fetched[PostRow]:
    """Posts newest first, optionally by one creator or matching `search`
    (case-insensitive substring of the title or content; on PostgreSQL a
    trigram index serves it). A search's total counts at most
    SEARCH_TOTAL_LIMIT matches.
    """
    rows, count = _list_statements(
        _ListShape(by_creator=creator_id is not None, search=bool(search))
    )
    parameters: dict[str, object] = {"creator_id": creator_id}
    if search:
        parameters["pattern"] = _contains(search)
    page = await fetch_page(
        bind,
        rows,
        count,
        pagination,
        order=(Post.created_at, Post.id),
        descending=True,
        parameters=parameters,
        # A rare word is found through the trigram index, a common one
        # along the newest posts: which one depends on the word.
        custom_plans=bool(search),
    )
    return page.map(PostRow._make)


async def create_post(
    session: AsyncSession, *, creator_id: UUID, data: PostCreate
) -> PostRow:
    """Create a post owned by `creator_id`."""
    post = Post(title=data.title, content=data.content, creator_id=creator_id)
    session.add(post)
    await session.flush()
    logger.info("post_created", post_id=str(post.id))
    return await _reload(session, post.id)


async def update_post(
    session: AsyncSession, *, post: PostRow, data: PostUpdate
) -> PostRow:
    """Apply the fields present in `data`; sets `updated_at` and the version.

    `ConcurrentEdit` if another edit changed it since `post` was read.
    """
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return post
    await apply_edit(
        session, Post, row_id=post.id, read_version=post.version, values=changes
    )
    return await _reload(session, post.id)


async def delete_post(session: AsyncSession, *, post_id: UUID) -> None:
    """Delete the post; its comments and attachments go with it (cascade)."""
    await session.execute(delete(Post).where(Post.id == post_id))
    logger.info("post_deleted", post_id=str(post_id))
