"""Comments on posts: read as `CommentRow`s, written in a unit of work."""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import bindparam, delete, select

from src.auth.constants import Role
from src.auth.models import User
from src.comments.models import POST_COMMENTS, Comment
from src.comments.schemas import CommentCreate, CommentUpdate
from src.database.counts import list_total
from src.database.reads import AnySelect, Readable, fetch_one, first_column, statement
from src.database.unit_of_work import UnitOfWork
from src.models import apply_edit
from src.moderation import audit
from src.moderation.constants import AuditAction, TargetType
from src.notifications import service as notification_service
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.changes import post_changed

logger = structlog.get_logger(__name__)


class CommentRow(NamedTuple):
    """A comment as it is read: its columns and its creator's name."""

    id: UUID
    post_id: UUID
    content: str
    creator_id: UUID
    creator_username: str
    created_at: datetime
    updated_at: datetime | None
    version: int
    # A moderator hid it: only its writer and moderators see it.
    hidden: bool


def _columns() -> AnySelect:
    # In `CommentRow`'s order: a row becomes a CommentRow by position.
    return select(
        Comment.id,
        Comment.post_id,
        Comment.content,
        Comment.creator_id,
        User.username.label("creator_username"),
        Comment.created_at,
        Comment.updated_at,
        Comment.version,
        Comment.hidden_at.is_not(None).label("hidden"),
    ).join(User, User.id == Comment.creator_id)


@statement("comment_by_id", CommentRow._make)
def _by_id() -> AnySelect:
    return _columns().where(
        Comment.id == bindparam("comment_id"), Comment.post_id == bindparam("post_id")
    )


@statement("comment_by_own_id", CommentRow._make)
def _by_own_id() -> AnySelect:
    return _columns().where(Comment.id == bindparam("comment_id"))


async def find_comment(readable: Readable, comment_id: UUID) -> CommentRow | None:
    """The comment with this id, under whichever post (for moderators)."""
    return await fetch_one(readable, _by_own_id, comment_id=comment_id)


@statement("post_comments", CommentRow._make)
def _post_comments() -> AnySelect:
    return _columns().where(
        Comment.post_id == bindparam("post_id"), Comment.hidden_at.is_(None)
    )


@statement("post_comments_total", first_column)
def _post_comments_total() -> AnySelect:
    return list_total(POST_COMMENTS, bindparam("post_id"))


async def get_comment(
    readable: Readable, *, post_id: UUID, comment_id: UUID
) -> CommentRow | None:
    """The comment if it exists under this post, else None."""
    return await fetch_one(readable, _by_id, post_id=post_id, comment_id=comment_id)


async def list_comments(
    readable: Readable, *, post_id: UUID, pagination: PaginationParams
) -> Fetched[CommentRow]:
    """A post's comments, oldest first."""
    return await fetch_page(
        readable,
        _post_comments,
        _post_comments_total,
        pagination,
        order=(Comment.created_at, Comment.id),
        descending=False,
        parameters={"post_id": post_id},
    )


async def create_comment(
    uow: UnitOfWork,
    *,
    post_id: UUID,
    post_creator_id: UUID,
    creator_id: UUID,
    data: CommentCreate,
) -> CommentRow:
    """Comment on a post; its creator is notified in the same transaction."""
    comment = Comment(post_id=post_id, creator_id=creator_id, content=data.content)
    uow.session.add(comment)
    await uow.session.flush()
    # Its post's comments_count.
    post_changed(uow, post_id)
    await notification_service.notify_comment_created(
        uow,
        post_creator_id=post_creator_id,
        post_id=post_id,
        comment_id=comment.id,
        actor_id=creator_id,
    )
    logger.info("comment_created", post_id=str(post_id), comment_id=str(comment.id))
    created = await get_comment(uow, post_id=post_id, comment_id=comment.id)
    if created is None:  # pragma: no cover - written in this transaction
        raise LookupError(comment.id)
    return created


async def update_comment(
    uow: UnitOfWork, *, comment: CommentRow, data: CommentUpdate
) -> CommentRow:
    """Replace the content; sets `updated_at` and the version.

    `ConcurrentEdit` if another edit changed it since `comment` was read.
    """
    edited_at = await apply_edit(
        uow.session,
        Comment,
        row_id=comment.id,
        read_version=comment.version,
        values={"content": data.content},
    )
    return comment._replace(
        content=data.content, updated_at=edited_at, version=comment.version + 1
    )


def may_see(comment: CommentRow, viewer: UUID | None, moderator: bool) -> bool:
    """Whether the viewer may see the comment: a hidden one is its writer's
    and moderators'."""
    return not comment.hidden or moderator or comment.creator_id == viewer


def may_delete(user: User, *, comment: CommentRow, post_creator_id: UUID) -> bool:
    """Whether `user` may delete the comment: its writer, the post's creator
    or a moderator."""
    owners = {comment.creator_id, post_creator_id}
    return user.id in owners or user.role.at_least(Role.MODERATOR)


async def delete_comment(
    uow: UnitOfWork, *, comment: CommentRow, post_creator_id: UUID, by: User
) -> None:
    """Delete one comment (its notification goes with it). Deleted by a
    moderator (neither its writer nor the post's creator): audited."""
    await uow.session.execute(delete(Comment).where(Comment.id == comment.id))
    post_changed(uow, comment.post_id)
    if by.id not in {comment.creator_id, post_creator_id}:
        await audit.record(
            uow,
            actor=by,
            action=AuditAction.COMMENT_DELETED,
            target_type=TargetType.COMMENT,
            target_id=comment.id,
        )
    logger.info("comment_deleted", comment_id=str(comment.id))
