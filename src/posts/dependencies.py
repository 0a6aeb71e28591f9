from typing import Annotated
from uuid import UUID

from fastapi import Depends, Header

from src.auth.dependencies import CurrentUser
from src.database.session import ReadBindDep
from src.posts import service
from src.posts.exceptions import NotPostCreator, PostNotFound
from src.posts.service import PostRow
from src.web.conditional import check_if_match


async def valid_post_id(post_id: UUID, bind: ReadBindDep) -> PostRow:
    post = await service.get_post(bind, post_id)
    if post is None:
        raise PostNotFound
    return post


ValidPost = Annotated[PostRow, Depends(valid_post_id)]


async def valid_owned_post(post: ValidPost, user: CurrentUser) -> PostRow:
    """The post, if the caller created it (403 otherwise)."""
    if post.creator_id != user.id:
        raise NotPostCreator
    return post


OwnedPost = Annotated[PostRow, Depends(valid_owned_post)]


async def valid_editable_post(
    post: OwnedPost, if_match: Annotated[str | None, Header()] = None
) -> PostRow:
    """The caller's post, unless `If-Match` names another version (412)."""
    check_if_match(if_match, post.version)
    return post


EditablePost = Annotated[PostRow, Depends(valid_editable_post)]


async def valid_deletable_post(post: ValidPost, user: CurrentUser) -> PostRow:
    """The post, if the caller created it or is a superuser."""
    if post.creator_id != user.id and not user.is_superuser:
        raise NotPostCreator
    return post


DeletablePost = Annotated[PostRow, Depends(valid_deletable_post)]
