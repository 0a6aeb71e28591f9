from functools import cache
from uuid import UUID

import structlog
from sqlalchemy import ColumnElement, Select, bindparam, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from src.auth.models import User
from src.notifications import service as notification_service
from src.pagination import PaginationParams
from src.posts.models import Post, PostComment
from src.posts.schemas import CommentCreate, CommentUpdate, PostCreate, PostUpdate

logger = structlog.get_logger(__name__)


async def _page[T](
    session: AsyncSession,
    query: Select[T],
    count: Select[int],
    pagination: PaginationParams,
) -> tuple[list[T], int]:
    """One page of `query` and the `count` of all rows: two statements."""
    total = await session.scalar(count)
    rows = await session.scalars(
        query.limit(pagination.limit).offset(pagination.offset)
    )
    return list(rows), total or 0


@cache
def _post_by_id() -> Select[Post]:
    # Built once: SQLAlchemy then reuses the compiled SQL without rebuilding
    # the statement or its cache key on every request (the hot path).
    return (
        select(Post)
        .where(Post.id == bindparam("post_id"))
        .options(joinedload(Post.creator))
    )


async def get_post(session: AsyncSession, post_id: UUID) -> Post | None:
    """The post with its creator and comment count, or None."""
    return await session.scalar(_post_by_id(), {"post_id": post_id})


async def list_posts(
    session: AsyncSession,
    *,
    pagination: PaginationParams,
    creator_id: UUID | None = None,
    search: str | None = None,
) -> tuple[list[Post], int]:
    """Posts newest first, optionally by one creator or matching `search`."""
    conditions: list[ColumnElement[bool]] = []
    if creator_id is not None:
        conditions.append(Post.creator_id == creator_id)
    if search:
        conditions.append(
            or_(
                Post.title.icontains(search, autoescape=True),
                Post.content.icontains(search, autoescape=True),
            )
        )
    query = (
        select(Post)
        .where(*conditions)
        .options(joinedload(Post.creator))
        .order_by(Post.created_at.desc(), Post.id.desc())
    )
    count = select(func.count()).select_from(Post).where(*conditions)
    return await _page(session, query, count, pagination)


async def create_post(
    session: AsyncSession, *, creator: User, data: PostCreate
) -> Post:
    """Create a post owned by `creator`."""
    post = Post(title=data.title, content=data.content, creator_id=creator.id)
    session.add(post)
    await session.flush()
    logger.info("post_created", post_id=str(post.id))
    return await _reload_post(session, post.id)


async def _reload_post(session: AsyncSession, post_id: UUID) -> Post:
    # populate_existing: the count and timestamps in the identity map are stale.
    post = await session.scalar(
        _post_by_id(),
        {"post_id": post_id},
        execution_options={"populate_existing": True},
    )
    if post is None:  # pragma: no cover - just written in this transaction
        raise LookupError(post_id)
    return post


async def update_post(session: AsyncSession, *, post: Post, data: PostUpdate) -> Post:
    """Apply the fields present in `data`; sets `updated_at`."""
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(post, field, value)
    await session.flush()
    return await _reload_post(session, post.id)


async def delete_post(session: AsyncSession, *, post: Post) -> None:
    """Delete the post; its comments go with it (database cascade)."""
    await session.execute(delete(Post).where(Post.id == post.id))
    logger.info("post_deleted", post_id=str(post.id))


async def get_comment(
    session: AsyncSession, *, post_id: UUID, comment_id: UUID
) -> PostComment | None:
    """The comment if it exists under this post, else None."""
    return await session.scalar(
        select(PostComment)
        .where(PostComment.id == comment_id, PostComment.post_id == post_id)
        .options(joinedload(PostComment.creator))
        .execution_options(populate_existing=True)
    )


async def list_comments(
    session: AsyncSession, *, post_id: UUID, pagination: PaginationParams
) -> tuple[list[PostComment], int]:
    """A post's comments, oldest first."""
    query = (
        select(PostComment)
        .where(PostComment.post_id == post_id)
        .options(joinedload(PostComment.creator))
        .order_by(PostComment.created_at, PostComment.id)
    )
    count = (
        select(func.count())
        .select_from(PostComment)
        .where(PostComment.post_id == post_id)
    )
    return await _page(session, query, count, pagination)


async def create_comment(
    session: AsyncSession, *, post: Post, creator: User, data: CommentCreate
) -> PostComment:
    """Comment on `post` as `creator`."""
    comment = PostComment(post_id=post.id, creator_id=creator.id, content=data.content)
    session.add(comment)
    await session.flush()
    comment.creator = creator
    await notification_service.notify_comment_created(
        session,
        post_creator_id=post.creator_id,
        post_id=post.id,
        comment_id=comment.id,
        actor_id=creator.id,
    )
    logger.info("comment_created", post_id=str(post.id), comment_id=str(comment.id))
    return comment


async def update_comment(
    session: AsyncSession, *, comment: PostComment, data: CommentUpdate
) -> PostComment:
    """Replace the comment's content; sets `updated_at`."""
    comment.content = data.content
    await session.flush()
    return comment


async def delete_comment(session: AsyncSession, *, comment: PostComment) -> None:
    """Delete one comment."""
    await session.execute(delete(PostComment).where(PostComment.id == comment.id))
    logger.info("comment_deleted", comment_id=str(comment.id))
