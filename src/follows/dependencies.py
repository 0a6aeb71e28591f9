from typing import Annotated
from uuid import UUID

from fastapi import Depends

from src.auth.exceptions import UserNotFound
from src.exceptions import raises
from src.follows import service
from src.follows.service import ProfileRow
from src.web.dependencies import ReadBindDep


@raises(UserNotFound)
async def valid_profile_id(user_id: UUID, bind: ReadBindDep) -> ProfileRow:
    """The user's profile (404 if there is no such user)."""
    profile = await service.get_profile(bind, user_id)
    if profile is None:
        raise UserNotFound
    return profile


ValidProfile = Annotated[ProfileRow, Depends(valid_profile_id)]
