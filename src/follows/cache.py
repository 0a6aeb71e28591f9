"""A public profile from the read cache (src/web/read_cache.py) while
nothing it shows has changed: the profile's own name (src/auth/changes.py),
and `authors` for an account deletion, whose follows leave other profiles'
counts. Cached as an anonymous reader sees it; `following` is the caller's,
applied per request."""

import re
from typing import NamedTuple
from uuid import UUID

from fastapi import Response
from pydantic_core import to_json

from src.auth.changes import profile_name
from src.auth.constants import AUTHORS_CACHE_NAME
from src.database.reads import Readable
from src.follows import service
from src.follows.service import ProfileRow
from src.follows.utils import profile_response
from src.posts.cache import UUID_PATTERN
from src.web.cached_reads import CachedRead, Wanted
from src.web.conditional import answered, conditional, tag_of
from src.web.read_cache import ReadCache, look_up

_PROFILE_PATH = re.compile(rf"/users/({UUID_PATTERN})")


def _wanted_profile(path: str, query: bytes) -> Wanted | None:
    match = _PROFILE_PATH.fullmatch(path)
    if match is None or query:
        return None
    key = profile_name(UUID(match[1]))
    return Wanted(key, (key, AUTHORS_CACHE_NAME))


# Answered before routing on a hit (src/web/cached_reads.py).
CACHED_READS = (CachedRead("get_user_profile", _wanted_profile),)


class ReadProfile(NamedTuple):
    """A profile as read, and its answer to an anonymous reader, serialized."""

    row: ProfileRow
    body: bytes
    tag: str


async def read_profile(
    cache: ReadCache | None, readable: Readable, user_id: UUID
) -> ReadProfile | None:
    """The profile, from the cache if it holds it, else read and kept there."""
    key = profile_name(user_id)
    generations, hit = await look_up(cache, key, (key, AUTHORS_CACHE_NAME))
    if hit is not None:
        found: ReadProfile = hit
        return found
    row = await service.get_profile(readable, user_id)
    if row is None:
        return None
    body = to_json(profile_response(row, following=False), by_alias=True)
    read = ReadProfile(row, body, tag_of(body))
    if cache is not None:
        cache.put(key, generations, read, cost=len(body))
    return read


async def read_profile_as_seen_by(
    readable: Readable,
    read: ReadProfile,
    caller: UUID | None,
    if_none_match: str | None,
) -> Response:
    """A profile as read (perhaps from the cache) as `caller` sees it, with
    its ETag, or 304: the anonymous answer as it was serialized, unless the
    caller follows them."""
    if await service.is_following(
        readable, follower_id=caller, followee_id=read.row.id
    ):
        return conditional(profile_response(read.row, following=True), if_none_match)
    return answered(read.body, read.tag, if_none_match)
