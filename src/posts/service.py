"""Posts: read as `PostRow`s through named statements, written in a unit of work."""

from datetime import datetime
from functools import partial
from itertools import product
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

from src.attachments import service as attachments_service
from src.auth.models import User
from src.database.counts import list_total
from src.database.reads import (
    AnySelect,
    Readable,
    Statement,
    fetch_one,
    first_column,
    register,
    statement,
)
from src.database.unit_of_work import UnitOfWork
from src.models import apply_edit
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.constants import LIKE_ESCAPE, SEARCH_TOTAL_LIMIT
from src.posts.models import POSTS, USER_POSTS, Post
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


@statement("post_by_id", PostRow._make)
def _by_id() -> AnySelect:
    return _columns().where(Post.id == bindparam("post_id"))


async def get_post(readable: Readable, post_id: UUID) -> PostRow | None:
    """The post, or None: one statement, no ORM entity."""
    return await fetch_one(readable, _by_id, post_id=post_id)


async def _reload(uow: UnitOfWork, post_id: UUID) -> PostRow:
    # As a reader sees it, inside the transaction that wrote it.
    post = await get_post(uow, post_id)
    if post is None:  # pragma: no cover - written in this transaction
        raise LookupError(post_id)
    return post


class _ListShape(NamedTuple):
    by_creator: bool
    search: bool


def _conditions(shape: _ListShape) -> list[ColumnElement[bool]]:
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
    return conditions


def _list_rows(shape: _ListShape) -> AnySelect:
    return _columns().where(*_conditions(shape))


def _list_total(shape: _ListShape) -> AnySelect:
    if shape.search:
        # Counting every match of a common word would read them all.
        matching = select(Post.id).where(*_conditions(shape))
        return select(func.count()).select_from(
            matching.limit(SEARCH_TOTAL_LIMIT).subquery()
        )
    if shape.by_creator:
        return list_total(USER_POSTS, bindparam("creator_id"))
    return list_total(POSTS)


def _name(shape: _ListShape) -> str:
    return "posts" + "_by_creator" * shape.by_creator + "_search" * shape.search


# Each shape of the list of posts: its rows and its total, whose values
# (creator_id, pattern) are bound parameters.
_LISTS = {
    shape: (
        register(Statement(_name(shape), partial(_list_rows, shape), PostRow._make)),
        register(
            Statement(
                f"{_name(shape)}_total", partial(_list_total, shape), first_column
            )
        ),
    )
    for shape in (_ListShape(*flags) for flags in product((False, True), repeat=2))
}


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its wildcards escaped."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


async def list_posts(
    readable: Readable,
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
    rows, count = _LISTS[
        _ListShape(by_creator=creator_id is not None, search=bool(search))
    ]
    parameters: dict[str, object] = {"creator_id": creator_id}
    if search:
        parameters["pattern"] = _contains(search)
    return await fetch_page(
        readable,
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


async def create_post(
    uow: UnitOfWork, *, creator_id: UUID, data: PostCreate
) -> PostRow:
    """Create a post owned by `creator_id`."""
    post = Post(title=data.title, content=data.content, creator_id=creator_id)
    uow.session.add(post)
    await uow.session.flush()
    logger.info("post_created", post_id=str(post.id))
    return await _reload(uow, post.id)


async def update_post(uow: UnitOfWork, *, post: PostRow, data: PostUpdate) -> PostRow:
    """Apply the fields present in `data`; sets `updated_at` and the version.

    `ConcurrentEdit` if another edit changed it since `post` was read.
    """
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return post
    await apply_edit(
        uow.session, Post, row_id=post.id, read_version=post.version, values=changes
    )
    return await _reload(uow, post.id)


async def delete_post(uow: UnitOfWork, *, post_id: UUID) -> None:
    """Delete the post with everything on it: its attachments' rows (their
    stored files are deleted by a job once this commits), then the post,
    whose comments and notifications the database removes with it.
    """
    keys = await attachments_service.delete_attachments_of_post(uow, post_id)
    await uow.session.execute(delete(Post).where(Post.id == post_id))
    attachments_service.owe_file_deletion(uow, keys)
    logger.info("post_deleted", post_id=str(post_id))
