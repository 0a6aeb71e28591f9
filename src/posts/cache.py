"""A post and the first page of the public list, from the read cache
(src/web/read_cache.py) while nothing they show has changed.

What they show, by name: `post:<id>` (the post, its counts), `posts` (the
public list: which posts, in which order, their counts) and `authors`
(what any post shows of its author, and deletions whose cascade reaches
other authors' posts). Every write to them records its names in its unit
of work (src/posts/changes.py).

Only what every reader sees the same is cached: a published post, the
first page of the unfiltered list, as an anonymous reader gets them. A
caller's own part (`favorited`) is applied on top, per request.
"""

import re
from typing import NamedTuple
from uuid import UUID

from src.auth.constants import AUTHORS_CACHE_NAME
from src.database.reads import Readable
from src.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    Fetched,
    Page,
    PaginationParams,
    cursor_signer,
)
from src.posts import lists, service
from src.posts.changes import PUBLIC_LIST, post_name
from src.posts.constants import PostStatus
from src.posts.service import PostRef, PostRow
from src.posts.utils import post_fields
from src.schemas import fields_json
from src.web.conditional import tag_of
from src.web.public_reads import PublicRead, by_id
from src.web.read_cache import ReadCache, read_through
from src.web.state import AppState

_LIMIT_QUERY = re.compile(rb"limit=([1-9][0-9]{0,2})")


def _first_page_key(limit: int) -> str:
    return f"{PUBLIC_LIST}:first:{limit}"


class ReadPost(NamedTuple):
    """A post as read: who may see it, and its answer to an anonymous
    reader, serialized. Not its row: an entry is kept as small as the
    answer (a caller who favorited the post has it read again)."""

    ref: PostRef
    body: bytes
    tag: str


async def read_post(
    cache: ReadCache | None, readable: Readable, post_id: UUID
) -> ReadPost | None:
    """The post, from the cache if it holds it; a published post read from
    the database is kept there."""

    async def read() -> ReadPost | None:
        row = await service.get_post(readable, post_id)
        if row is None:
            return None
        body = fields_json(post_fields(row))
        ref = PostRef(row.id, row.creator_id, row.status)
        return ReadPost(ref, body, tag_of(body, row.version))

    def cost(read: ReadPost | None) -> int | None:
        if read is None or read.ref.status is not PostStatus.PUBLISHED:
            return None
        return len(read.body)

    key = post_name(post_id)
    return await read_through(cache, key, (key, AUTHORS_CACHE_NAME), read, cost)


class ReadPage(NamedTuple):
    """A page of the public list as read, and its JSON to an anonymous reader."""

    fetched: Fetched[PostRow]
    body: bytes


def is_first_public_page(pagination: PaginationParams, *filters: object) -> bool:
    """Whether a list request is for the first page of the unfiltered list."""
    return pagination.after is None and not pagination.offset and not any(filters)


async def read_first_page(
    cache: ReadCache | None, readable: Readable, pagination: PaginationParams
) -> ReadPage:
    """The first page of the public list, from the cache if it holds it."""

    async def read() -> ReadPage:
        fetched = await lists.list_posts(readable, pagination=pagination)
        items = [post_fields(row) for row in fetched.items]
        return ReadPage(fetched, fields_json(Page.fields(items, fetched, pagination)))

    key = _first_page_key(pagination.limit)
    names = (PUBLIC_LIST, AUTHORS_CACHE_NAME)
    return await read_through(cache, key, names, read, lambda page: len(page.body))


# Anonymous reads, answered before routing (src/web/public_reads.py).


async def _public_post(state: AppState, post_id: UUID) -> ReadPost | None:
    read = await read_post(state.read_cache, state.read_engine, post_id)
    if read is None or read.ref.status is not PostStatus.PUBLISHED:
        return None
    return read


def _wanted_first_page(path: str, query: bytes) -> int | None:
    if path != "/posts":
        return None
    match = _LIMIT_QUERY.fullmatch(query)
    limit = DEFAULT_LIMIT if not query else int(match[1]) if match else 0
    return limit if 1 <= limit <= MAX_LIMIT else None


async def _public_first_page(state: AppState, limit: int) -> ReadPage:
    signer = cursor_signer(state.settings.auth.JWT_SECRET)
    pagination = PaginationParams(limit, 0, None, signer)
    return await read_first_page(state.read_cache, state.read_engine, pagination)


PUBLIC_READS = (
    by_id("get_post", "/posts", _public_post),
    PublicRead("list_posts", _wanted_first_page, _public_first_page),
)
