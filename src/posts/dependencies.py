from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from src.auth.dependencies import CurrentUser
from src.auth.exceptions import SessionRequired
from src.auth.permissions import CurrentViewer, Viewer, viewer_of
from src.exceptions import DatabaseUnavailable, raises
from src.posts import cache, service
from src.posts.cache import ReadPost
from src.posts.exceptions import NotPostCreator, PostNotFound
from src.posts.service import PostRef, PostRow
from src.web.dependencies import ReadBindDep, read_bind
from src.web.state import app_state


def visible[P: (PostRow, PostRef)](post: P | None, viewer: Viewer) -> P:
    """The post, if the viewer may see it: a draft is its author's alone, a
    hidden post its author's and moderators' (404 to anyone else, as if it
    did not exist)."""
    if post is None or not service.may_see(post, viewer.id, moderator=viewer.moderator):
        raise PostNotFound
    return post


@raises(PostNotFound, SessionRequired, DatabaseUnavailable)
async def valid_post_id(post_id: UUID, request: Request) -> PostRow:
    """The post, if it exists and the caller may see it (404 otherwise).
    One dependency, as the hottest read resolves it."""
    post = await service.get_post(read_bind(request), post_id)
    return visible(post, viewer_of(request))


ValidPost = Annotated[PostRow, Depends(valid_post_id)]


@raises(PostNotFound, SessionRequired, DatabaseUnavailable)
async def readable_post_id(post_id: UUID, request: Request) -> ReadPost:
    """As `valid_post_id`, for reading it: from the read cache when it holds
    the post, with its answer to an anonymous reader."""
    read = await cache.read_post(
        app_state(request).read_cache, read_bind(request), post_id
    )
    if read is None:
        raise PostNotFound
    visible(read.ref, viewer_of(request))
    return read


ReadablePost = Annotated[ReadPost, Depends(readable_post_id)]


@raises(PostNotFound)
async def visible_post_id(
    post_id: UUID, bind: ReadBindDep, viewer: CurrentViewer
) -> PostRef:
    """As `valid_post_id`, for routes that answer something under the post
    (its comments, its attachments): reads only what the check needs."""
    return visible(await service.get_post_ref(bind, post_id), viewer)


VisiblePost = Annotated[PostRef, Depends(visible_post_id)]


@raises(NotPostCreator)
async def valid_owned_post(post: ValidPost, user: CurrentUser) -> PostRow:
    """The post, if the caller created it (403 otherwise)."""
    if post.creator_id != user.id:
        raise NotPostCreator
    return post


OwnedPost = Annotated[PostRow, Depends(valid_owned_post)]


@raises(NotPostCreator)
async def valid_deletable_post(post: ValidPost, user: CurrentUser) -> PostRow:
    """The post, if the caller created it or is a moderator."""
    if not service.may_delete(user, post):
        raise NotPostCreator
    return post


DeletablePost = Annotated[PostRow, Depends(valid_deletable_post)]
