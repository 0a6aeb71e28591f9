"""Moderators' actions: hiding posts and comments, suspending members.
Each is idempotent (`PUT` hides, `DELETE` shows again) and audited."""

from fastapi import APIRouter, status

from src.auth.exceptions import (
    InvalidToken,
    RoleRequired,
    SessionRequired,
    UserNotFound,
)
from src.comments.exceptions import CommentNotFound
from src.exceptions import responses
from src.moderation import service
from src.moderation.dependencies import (
    ModeratedComment,
    ModeratedPost,
    ModeratedUser,
    Moderator,
    Note,
)
from src.moderation.exceptions import NotSuspendable
from src.posts.exceptions import PostNotFound
from src.web.dependencies import UnitOfWorkDep

router = APIRouter(prefix="/moderation", tags=["Moderation"])

MODERATORS = (InvalidToken, SessionRequired, RoleRequired)
HIDDEN = (
    "A hidden item leaves every list, count, feed, tag page and search, and "
    "is 404 to everyone but its author and moderators."
)


@router.put(
    "/posts/{post_id}/hidden",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Hide a post",
    description=HIDDEN,
    responses=responses(*MODERATORS, PostNotFound),
)
async def hide_post(
    post: ModeratedPost, note: Note, user: Moderator, uow: UnitOfWorkDep
) -> None:
    await service.set_post_hidden(
        uow, post=post, hidden=True, by=user, reason=note.reason
    )


@router.delete(
    "/posts/{post_id}/hidden",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Show a hidden post again",
    description="Back in its lists, in its place, with its counts.",
    responses=responses(*MODERATORS, PostNotFound),
)
async def show_post(post: ModeratedPost, user: Moderator, uow: UnitOfWorkDep) -> None:
    await service.set_post_hidden(uow, post=post, hidden=False, by=user)


@router.put(
    "/comments/{comment_id}/hidden",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Hide a comment",
    description=HIDDEN,
    responses=responses(*MODERATORS, CommentNotFound),
)
async def hide_comment(
    comment: ModeratedComment, note: Note, user: Moderator, uow: UnitOfWorkDep
) -> None:
    await service.set_comment_hidden(
        uow, comment=comment, hidden=True, by=user, reason=note.reason
    )


@router.delete(
    "/comments/{comment_id}/hidden",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Show a hidden comment again",
    responses=responses(*MODERATORS, CommentNotFound),
)
async def show_comment(
    comment: ModeratedComment, user: Moderator, uow: UnitOfWorkDep
) -> None:
    await service.set_comment_hidden(uow, comment=comment, hidden=False, by=user)


@router.put(
    "/users/{user_id}/suspended",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Suspend a member",
    description="Every credential of theirs is refused at once (access and "
    "refresh tokens, API keys, Conduit tokens) and they cannot log in; their "
    "content stays. Moderators and admins cannot be suspended.",
    responses=responses(*MODERATORS, UserNotFound, NotSuspendable),
)
async def suspend_user(
    target: ModeratedUser, note: Note, user: Moderator, uow: UnitOfWorkDep
) -> None:
    await service.suspend(uow, user_id=target.id, by=user, reason=note.reason)


@router.delete(
    "/users/{user_id}/suspended",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Lift a suspension",
    description="They may log in again; their API keys work again.",
    responses=responses(*MODERATORS, UserNotFound),
)
async def unsuspend_user(
    target: ModeratedUser, user: Moderator, uow: UnitOfWorkDep
) -> None:
    await service.unsuspend(uow, user_id=target.id, by=user)
