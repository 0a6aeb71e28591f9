from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from src.auth.constants import USERNAME_PATTERN, ApiKeyScope
from src.auth.dependencies import CallerId, CurrentUser
from src.auth.exceptions import InvalidToken, UserNotFound
from src.auth.permissions import Require, caller_of
from src.auth.schemas import UserPublic
from src.database.unit_of_work import UnitOfWork
from src.exceptions import responses
from src.follows import service
from src.follows.cache import read_profile_as_seen_by
from src.follows.dependencies import ReadableProfile, ValidProfile
from src.follows.exceptions import SelfFollow
from src.follows.utils import (
    profile_as_seen_by,
    profile_response,
    profiles_as_seen_by,
)
from src.pagination import Page, PaginationDep
from src.web.conditional import CONDITIONAL_READ, IfNoneMatch, conditional
from src.web.dependencies import ReadBindDep, UnitOfWorkDep, read_bind
from src.web.openapi import conditional_read

router = APIRouter(prefix="/users", tags=["Users"])


# Before the routes under /users/{user_id}/: a username is not an id.
@router.get(
    "/by-username/{username}",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    response_model=UserPublic,
    summary="Public profile, by username",
    description="The username in any case. " + CONDITIONAL_READ,
    responses={**responses(UserNotFound), **conditional_read()},
)
async def get_profile_by_username(
    username: Annotated[str, Path(max_length=32, pattern=USERNAME_PATTERN)],
    bind: ReadBindDep,
    caller: CallerId,
    if_none_match: IfNoneMatch = None,
) -> UserPublic | Response:
    profile = await service.get_profile_by_username(bind, username)
    if profile is None:
        raise UserNotFound
    answer = await profile_as_seen_by(bind, profile, caller)
    return conditional(answer, if_none_match)


@router.get(
    "/{user_id}",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    name="get_user_profile",
    response_model=UserPublic,
    summary="Public profile",
    description="No email, no role, no age; `following` is whether you follow "
    "them. " + CONDITIONAL_READ,
    responses={**responses(UserNotFound), **conditional_read()},
)
async def get_user_profile(
    profile: ReadableProfile, request: Request, if_none_match: IfNoneMatch = None
) -> UserPublic | Response:
    return await read_profile_as_seen_by(
        read_bind(request), profile, caller_of(request), if_none_match
    )


@router.put(
    "/{user_id}/follow",
    dependencies=[Require(ApiKeyScope.FOLLOWS_WRITE)],
    summary="Follow a user",
    description="Idempotent: following again changes nothing. They are "
    "notified the first time. Their posts are in your feed from now on.",
    responses=responses(InvalidToken, UserNotFound, SelfFollow),
)
async def follow_user(
    profile: ValidProfile, user: CurrentUser, uow: UnitOfWorkDep
) -> UserPublic:
    if profile.id == user.id:
        raise SelfFollow
    await service.follow(uow, follower_id=user.id, followee_id=profile.id)
    return await _as_they_are_now(uow, profile.id, following=True)


@router.delete(
    "/{user_id}/follow",
    dependencies=[Require(ApiKeyScope.FOLLOWS_WRITE)],
    summary="Unfollow a user",
    description="Idempotent. Their posts leave your feed.",
    responses=responses(InvalidToken, UserNotFound),
)
async def unfollow_user(
    profile: ValidProfile, user: CurrentUser, uow: UnitOfWorkDep
) -> UserPublic:
    await service.unfollow(uow, follower_id=user.id, followee_id=profile.id)
    return await _as_they_are_now(uow, profile.id, following=False)


async def _as_they_are_now(
    uow: UnitOfWork, user_id: UUID, *, following: bool
) -> UserPublic:
    # Read again in the transaction that changed the counts.
    profile = await service.get_profile(uow, user_id)
    if profile is None:  # pragma: no cover - the follow holds the row
        raise UserNotFound
    return profile_response(profile, following=following)


@router.get(
    "/{user_id}/followers",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="A user's followers",
    description="Most recent first; `following` is whether you follow each.",
    responses=responses(UserNotFound),
)
async def list_followers(
    profile: ValidProfile,
    pagination: PaginationDep,
    bind: ReadBindDep,
    caller: CallerId,
) -> Page[UserPublic]:
    page = await service.list_followers(bind, user_id=profile.id, pagination=pagination)
    items = await profiles_as_seen_by(bind, page.items, caller)
    return Page[UserPublic].create(items, page, pagination)


@router.get(
    "/{user_id}/following",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="Whom a user follows",
    description="Most recent first; `following` is whether you follow each.",
    responses=responses(UserNotFound),
)
async def list_following(
    profile: ValidProfile,
    pagination: PaginationDep,
    bind: ReadBindDep,
    caller: CallerId,
) -> Page[UserPublic]:
    page = await service.list_following(bind, user_id=profile.id, pagination=pagination)
    items = await profiles_as_seen_by(bind, page.items, caller)
    return Page[UserPublic].create(items, page, pagination)
