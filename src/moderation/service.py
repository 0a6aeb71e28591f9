"""Moderation: hiding posts and comments, suspending members. Each action
writes its audit entry in its own transaction; doing what is already done
(hiding a hidden post) changes nothing and records nothing."""

from uuid import UUID

import structlog
from sqlalchemy import select, update

from src.auth import sessions
from src.auth.constants import Role
from src.auth.exceptions import UserNotFound
from src.auth.models import User
from src.comments.models import Comment
from src.comments.service import CommentRow
from src.database.base import utcnow
from src.database.unit_of_work import UnitOfWork
from src.favorites import service as favorites_service
from src.moderation import audit
from src.moderation.constants import AuditAction, TargetType
from src.moderation.exceptions import DraftNotHidden, LastAdmin, NotSuspendable
from src.posts import service as posts_service
from src.posts.changes import post_changed
from src.posts.constants import PostStatus
from src.posts.models import Post
from src.posts.service import PostRef
from src.tags import service as tags_service

logger = structlog.get_logger(__name__)


async def set_post_hidden(
    uow: UnitOfWork,
    *,
    post: PostRef,
    hidden: bool,
    by: User,
    reason: str | None = None,
) -> None:
    """Hide a published post (out of every list, count, feed, tag page and
    search; its author and moderators still see it) or show it again, in
    its place (its publication time is kept). `DraftNotHidden` for a draft,
    its author's alone already."""
    if hidden and post.is_draft:
        raise DraftNotHidden
    before, after = (
        (PostStatus.PUBLISHED, PostStatus.HIDDEN)
        if hidden
        else (PostStatus.HIDDEN, PostStatus.PUBLISHED)
    )
    await posts_service.lock_posts(uow, post_id=post.id)
    published_at = await uow.session.scalar(
        update(Post)
        .where(Post.id == post.id, Post.status == before)
        .values(status=after)
        .returning(Post.published_at)
    )
    if published_at is None:
        return
    post_changed(uow, post.id)
    if hidden:
        await tags_service.unlist_post_from_its_tags(uow, post_id=post.id)
    else:
        await tags_service.list_post_under_its_tags(
            uow, post_id=post.id, published_at=published_at
        )
    await favorites_service.set_post_hidden(uow, post_id=post.id, hidden=hidden)
    await audit.record(
        uow,
        actor=by,
        action=AuditAction.POST_HIDDEN if hidden else AuditAction.POST_SHOWN,
        target_type=TargetType.POST,
        target_id=post.id,
        reason=reason,
    )


async def set_comment_hidden(
    uow: UnitOfWork,
    *,
    comment: CommentRow,
    hidden: bool,
    by: User,
    reason: str | None = None,
) -> None:
    """Hide a comment (out of its post's comments and count) or show it
    again."""
    changed = await uow.session.scalar(
        update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.hidden_at.is_(None) if hidden else Comment.hidden_at.is_not(None),
        )
        .values(hidden_at=utcnow() if hidden else None)
        .returning(Comment.id)
    )
    if changed is None:
        return
    # Its post's comments_count.
    post_changed(uow, comment.post_id)
    await audit.record(
        uow,
        actor=by,
        action=AuditAction.COMMENT_HIDDEN if hidden else AuditAction.COMMENT_SHOWN,
        target_type=TargetType.COMMENT,
        target_id=comment.id,
        reason=reason,
    )


async def suspend(
    uow: UnitOfWork, *, user_id: UUID, by: User | None, reason: str | None
) -> None:
    """Suspend a member: every credential they hold is refused from now on
    (tokens, API keys, Conduit tokens), their sessions end, and they cannot
    log in until unsuspended. Their content stays. Moderators and admins
    cannot be suspended (`NotSuspendable`): demote them first."""
    target = await _locked_user(uow, user_id)
    if target.role is not Role.MEMBER:
        raise NotSuspendable
    if target.suspended_at is not None:
        return
    target.suspended_at, target.suspension_reason = utcnow(), reason
    await sessions.revoke_all_refresh_tokens(uow, user_id=user_id)
    await audit.record(
        uow,
        actor=by,
        action=AuditAction.USER_SUSPENDED,
        target_type=TargetType.USER,
        target_id=user_id,
        reason=reason,
    )
    logger.info("user_suspended", user_id=str(user_id))


async def unsuspend(uow: UnitOfWork, *, user_id: UUID, by: User | None) -> None:
    """Lift a suspension: the user may log in again (their sessions ended
    with the suspension; their API keys work again)."""
    target = await _locked_user(uow, user_id)
    if target.suspended_at is None:
        return
    target.suspended_at, target.suspension_reason = None, None
    await audit.record(
        uow,
        actor=by,
        action=AuditAction.USER_UNSUSPENDED,
        target_type=TargetType.USER,
        target_id=user_id,
    )
    logger.info("user_unsuspended", user_id=str(user_id))


async def _locked_user(uow: UnitOfWork, user_id: UUID) -> User:
    # Locked: a concurrent role change or suspension waits for this one.
    user = await uow.session.scalar(
        select(User).where(User.id == user_id).with_for_update()
    )
    if user is None:  # pragma: no cover - checked by the route, then deleted
        raise UserNotFound
    return user


async def set_role(
    uow: UnitOfWork, *, user_id: UUID, role: Role, by: User | None
) -> User:
    """Give the user `role` (admins only, or an operator's command).
    `LastAdmin` if it would leave no admin. A suspended member made a
    moderator stays suspended until unsuspended."""
    # Every admin's row is locked, in id order: two admins demoting each
    # other at once cannot both see the other still there.
    admins = list(
        await uow.session.scalars(
            select(User.id)
            .where(User.role == Role.ADMIN)
            .order_by(User.id)
            .with_for_update()
        )
    )
    target = await _locked_user(uow, user_id)
    if target.role is role:
        return target
    if target.role is Role.ADMIN and admins == [user_id]:
        raise LastAdmin
    previous = target.role
    target.role = role
    await audit.record(
        uow,
        actor=by,
        action=AuditAction.ROLE_CHANGED,
        target_type=TargetType.USER,
        target_id=user_id,
        reason=f"{previous.value} -> {role.value}",
    )
    logger.info("role_changed", user_id=str(user_id), role=role.value)
    return target
