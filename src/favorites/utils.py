from collections.abc import Sequence
from uuid import UUID

from fastapi import Response

from src.database.reads import Readable
from src.favorites import service
from src.pagination import Fetched, Page, PaginationParams
from src.posts import service as posts_service
from src.posts.cache import ReadPost
from src.posts.exceptions import PostNotFound
from src.posts.schemas import PostResponse
from src.posts.service import PostRow
from src.posts.utils import post_response
from src.web.conditional import answered, conditional


async def posts_as_seen_by(
    readable: Readable, posts: Sequence[PostRow], caller: UUID | None
) -> list[PostResponse]:
    """Posts as `caller` sees them: which they favorited is one statement
    for them all (none anonymously)."""
    favorited = await service.favorited_among(
        readable, user_id=caller, post_ids=[post.id for post in posts]
    )
    return [post_response(post, favorited=post.id in favorited) for post in posts]


async def page_as_seen_by(
    readable: Readable,
    page: Fetched[PostRow],
    pagination: PaginationParams,
    caller: UUID | None,
) -> Page[PostResponse]:
    """A page of posts as `caller` sees them."""
    items = await posts_as_seen_by(readable, page.items, caller)
    return Page[PostResponse].create(items, page, pagination)


async def post_as_seen_by(
    readable: Readable, post: PostRow, caller: UUID | None
) -> PostResponse:
    """One post as `caller` sees it."""
    favorited = await service.is_favorited(readable, user_id=caller, post_id=post.id)
    return post_response(post, favorited=favorited)


async def read_post_as_seen_by(
    readable: Readable, read: ReadPost, caller: UUID | None, if_none_match: str | None
) -> Response:
    """A post as read (perhaps from the cache) as `caller` sees it, with its
    ETag, or 304: the anonymous answer as it was serialized, unless the
    caller favorited the post (then read again, as the cache keeps only
    that answer)."""
    post_id = read.ref.id
    if await service.is_favorited(readable, user_id=caller, post_id=post_id):
        row = await posts_service.get_post(readable, post_id)
        if row is None:
            raise PostNotFound
        answer = post_response(row, favorited=True)
        return conditional(answer, if_none_match, row.version)
    return answered(read.body, read.tag, if_none_match)
