"""A public profile from the read cache (src/web/read_cache.py) while
nothing it shows has changed: the profile's own name (src/auth/changes.py),
and `authors` for an account deletion, whose follows leave other profiles'
counts. Cached as an anonymous reader sees it; `following` is the caller's,
applied per request."""

from typing import NamedTuple
from uuid import UUID

from fastapi import Response
from pydantic_core import to_json

from src.auth.changes import profile_name
from src.auth.constants import AUTHORS_CACHE_NAME
from src.auth.exceptions import UserNotFound
from src.database.reads import Readable
from src.follows import service
from src.follows.utils import profile_response
from src.web.conditional import answered, conditional, tag_of
from src.web.public_reads import by_id
from src.web.read_cache import ReadCache, read_through
from src.web.state import AppState


class ReadProfile(NamedTuple):
    """A profile as read: whose, and its answer to an anonymous reader,
    serialized. Not its row: an entry is kept as small as the answer (a
    caller who follows them has it read again)."""

    id: UUID
    body: bytes
    tag: str


async def read_profile(
    cache: ReadCache | None, readable: Readable, user_id: UUID
) -> ReadProfile | None:
    """The profile, from the cache if it holds it, else read and kept there."""

    async def read() -> ReadProfile | None:
        row = await service.get_profile(readable, user_id)
        if row is None:
            return None
        body = to_json(profile_response(row, following=False), by_alias=True)
        return ReadProfile(row.id, body, tag_of(body))

    key = profile_name(user_id)
    names = (key, AUTHORS_CACHE_NAME)
    return await read_through(
        cache, key, names, read, lambda read: None if read is None else len(read.body)
    )


async def read_profile_as_seen_by(
    readable: Readable,
    read: ReadProfile,
    caller: UUID | None,
    if_none_match: str | None,
) -> Response:
    """A profile as read (perhaps from the cache) as `caller` sees it, with
    its ETag, or 304: the anonymous answer as it was serialized, unless the
    caller follows them (then read again, as the cache keeps only that
    answer)."""
    if await service.is_following(readable, follower_id=caller, followee_id=read.id):
        row = await service.get_profile(readable, read.id)
        if row is None:
            raise UserNotFound
        return conditional(profile_response(row, following=True), if_none_match)
    return answered(read.body, read.tag, if_none_match)


async def _public_profile(state: AppState, user_id: UUID) -> ReadProfile | None:
    return await read_profile(state.read_cache, state.read_engine, user_id)


# Anonymous reads, answered before routing (src/web/public_reads.py).
PUBLIC_READS = (by_id("get_user_profile", "/users", _public_profile),)
