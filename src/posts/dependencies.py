from typing import Annotated
from uuid import UUID

from fastapi import Depends

from src.auth.dependencies import CurrentUser
from src.database import SessionDep
from src.posts import service
from src.posts.exceptions import (
    AttachmentNotFound,
    CommentNotFound,
    NotCommentAuthor,
    NotPostCreator,
    PostNotFound,
)
from src.posts.models import Post, PostAttachment, PostComment
from src.posts.schemas import PostResponse


async def valid_post_id(post_id: UUID, session: SessionDep) -> Post:
    post = await service.get_post(session, post_id)
    if post is None:
        raise PostNotFound
    return post


ValidPost = Annotated[Post, Depends(valid_post_id)]


async def valid_post_view(post_id: UUID, session: SessionDep) -> PostResponse:
    """The post as clients read it, for routes that only show it."""
    post = await service.get_post_view(session, post_id)
    if post is None:
        raise PostNotFound
    return post


PostView = Annotated[PostResponse, Depends(valid_post_view)]


async def valid_owned_post(post: ValidPost, user: CurrentUser) -> Post:
    """The post, if the caller created it (403 otherwise)."""
    if post.creator_id != user.id:
        raise NotPostCreator
    return post


OwnedPost = Annotated[Post, Depends(valid_owned_post)]


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
