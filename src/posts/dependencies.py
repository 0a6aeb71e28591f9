from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header

from src.auth.dependencies import CurrentUser
from src.database import ReadBindDep, SessionDep
from src.posts import service
from src.posts.exceptions import (
    AttachmentNotFound,
    CommentNotFound,
    NotCommentAuthor,
    NotPostCreator,
    PostNotFound,
    StaleEdit,
)
from src.posts.models import Post, PostAttachment, PostComment
from src.posts.utils import if_match_allows


async def valid_post_id(post_id: UUID, session: SessionDep) -> Post:
    post = await service.get_post(session, post_id)
    if post is None:
        raise PostNotFound
    return post


ValidPost = Annotated[Post, Depends(valid_post_id)]


async def valid_post_view(post_id: UUID, bind: ReadBindDep) -> service.PostView:
    """The post as clients read it, for routes that only show it."""
    view = await service.get_post_view(bind, post_id)
    if view is None:
        raise PostNotFound
    return view


ValidPostView = Annotated[service.PostView, Depends(valid_post_view)]


def _check_if_match(if_match: str | None, version: int) -> None:
    if if_match is not None and not if_match_allows(if_match, version):
        raise StaleEdit


async def valid_owned_post(post: ValidPost, user: CurrentUser) -> Post:
    """The post, if the caller created it (403 otherwise)."""
    if post.creator_id != user.id:
        raise NotPostCreator
    return post


OwnedPost = Annotated[Post, Depends(valid_owned_post)]


async def valid_editable_post(
    post: OwnedPost, if_match: Annotated[str | None, Header()] = None
) -> Post:
    """The caller's post, unless `If-Match` names another version (412)."""
    _check_if_match(if_match, post.version)
    return post


EditablePost = Annotated[Post, Depends(valid_editable_post)]


async def valid_deletable_post(post: ValidPost, user: CurrentUser) -> Post:
    """The post, if the caller created it or is a superuser."""
    if post.creator_id != user.id and not user.is_superuser:
        raise NotPostCreator
    return post


DeletablePost = Annotated[Post, Depends(valid_deletable_post)]


async def valid_comment_id(
    comment_id: UUID, post: ValidPost, session: SessionDep
) -> PostComment:
    """The comment, if it exists under this post (404 otherwise)."""
    comment = await service.get_comment(session, post_id=post.id, comment_id=comment_id)
    if comment is None:
        raise CommentNotFound
    return comment


ValidComment = Annotated[PostComment, Depends(valid_comment_id)]


async def valid_owned_comment(comment: ValidComment, user: CurrentUser) -> PostComment:
    """The comment, if the caller wrote it."""
    if comment.creator_id != user.id:
        raise NotCommentAuthor
    return comment


OwnedComment = Annotated[PostComment, Depends(valid_owned_comment)]


async def valid_editable_comment(
    comment: OwnedComment, if_match: Annotated[str | None, Header()] = None
) -> PostComment:
    """The caller's comment, unless `If-Match` names another version (412)."""
    _check_if_match(if_match, comment.version)
    return comment


EditableComment = Annotated[PostComment, Depends(valid_editable_comment)]


async def valid_deletable_comment(
    comment: ValidComment, post: ValidPost, user: CurrentUser
) -> PostComment:
    """The comment, if the caller wrote it, created the post or is a superuser."""
    if user.id not in {comment.creator_id, post.creator_id} and not user.is_superuser:
        raise NotCommentAuthor
    return comment


DeletableComment = Annotated[PostComment, Depends(valid_deletable_comment)]


async def valid_attachment_id(
    attachment_id: UUID, post: ValidPost, session: SessionDep
) -> PostAttachment:
    """The attachment, if it exists under this post (404 otherwise)."""
    attachment = await service.get_attachment(
        session, post_id=post.id, attachment_id=attachment_id
    )
    if attachment is None:
        raise AttachmentNotFound
    return attachment


ValidAttachment = Annotated[PostAttachment, Depends(valid_attachment_id)]


async def valid_deletable_attachment(
    attachment: ValidAttachment, post: ValidPost, user: CurrentUser
) -> PostAttachment:
    """The attachment, if the caller created the post or is a superuser."""
    if post.creator_id != user.id and not user.is_superuser:
        raise NotPostCreator
    return attachment


DeletableAttachment = Annotated[PostAttachment, Depends(valid_deletable_attachment)]
