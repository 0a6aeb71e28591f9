from typing import Annotated
from uuid import UUID

from fastapi import Body, Depends

from src.auth import service as auth_service
from src.auth.constants import Role
from src.auth.exceptions import UserNotFound
from src.auth.models import User
from src.auth.permissions import RequireRole
from src.comments import service as comments_service
from src.comments.exceptions import CommentNotFound
from src.comments.service import CommentRow
from src.exceptions import raises
from src.moderation.schemas import ModerationNote
from src.posts import service as posts_service
from src.posts.exceptions import PostNotFound
from src.posts.service import PostRef
from src.web.dependencies import ReadBindDep, ReadSession

Moderator = Annotated[User, RequireRole(Role.MODERATOR)]
Admin = Annotated[User, RequireRole(Role.ADMIN)]

# Optional: `PUT` with no body is a hide without a reason.
Note = Annotated[ModerationNote, Body(default_factory=ModerationNote)]


@raises(PostNotFound)
async def moderated_post(post_id: UUID, bind: ReadBindDep, _: Moderator) -> PostRef:
    """Any post but a draft (a draft is its author's alone: 404)."""
    post = await posts_service.get_post_ref(bind, post_id)
    if post is None or post.is_draft:
        raise PostNotFound
    return post


ModeratedPost = Annotated[PostRef, Depends(moderated_post)]


@raises(CommentNotFound)
async def moderated_comment(
    comment_id: UUID, bind: ReadBindDep, _: Moderator
) -> CommentRow:
    comment = await comments_service.find_comment(bind, comment_id)
    if comment is None:
        raise CommentNotFound
    return comment


ModeratedComment = Annotated[CommentRow, Depends(moderated_comment)]


@raises(UserNotFound)
async def moderated_user(user_id: UUID, session: ReadSession, _: Moderator) -> User:
    user = await auth_service.get_user(session, user_id)
    if user is None:
        raise UserNotFound
    return user


ModeratedUser = Annotated[User, Depends(moderated_user)]
