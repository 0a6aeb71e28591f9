from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from src.auth.exceptions import UserNotFound
from src.exceptions import DatabaseUnavailable, raises
from src.follows import cache, service
from src.follows.cache import ReadProfile
from src.follows.service import ProfileRow
from src.web.dependencies import ReadBindDep, read_bind
from src.web.state import app_state


@raises(UserNotFound)
async def valid_profile_id(user_id: UUID, bind: ReadBindDep) -> ProfileRow:
    """The user's profile (404 if there is no such user)."""
    profile = await service.get_profile(bind, user_id)
    if profile is None:
        raise UserNotFound
    return profile


ValidProfile = Annotated[ProfileRow, Depends(valid_profile_id)]


@raises(UserNotFound, DatabaseUnavailable)
async def readable_profile_id(user_id: UUID, request: Request) -> ReadProfile:
    """As `valid_profile_id`, for reading it: from the read cache when it
    holds the profile, with its answer to an anonymous reader."""
    read = await cache.read_profile(
        app_state(request).read_cache, read_bind(request), user_id
    )
    if read is None:
        raise UserNotFound
    return read


ReadableProfile = Annotated[ReadProfile, Depends(readable_profile_id)]
