"""Profiles and follows: a user as others see them, and whom they follow;
the database counts both sides."""

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import bindparam, delete, func, literal_column, select

from src.auth.changes import profile_changed
from src.auth.constants import MusicBand
from src.auth.models import User
from src.database.base import in_ids, insert_ignoring_duplicates
from src.database.counts import list_total
from src.database.reads import (
    AnySelect,
    FetchedRow,
    Readable,
    fetch_all,
    fetch_one,
    first_column,
    statement,
)
from src.database.unit_of_work import UnitOfWork
from src.follows.models import USER_FOLLOWERS, USER_FOLLOWING, Follow
from src.notifications import service as notifications_service
from src.notifications.constants import NotificationType
from src.pagination import Fetched, PaginationParams, fetch_page

logger = structlog.get_logger(__name__)


class ProfileRow(NamedTuple):
    """A user as others see them, with their counts."""

    id: UUID
    username: str
    first_name: str
    bio: str
    image: str | None
    favorite_band: MusicBand | None
    website: str | None
    created_at: datetime
    followers_count: int
    following_count: int


def _profile_columns() -> AnySelect:
    return select(
        User.id,
        User.username,
        User.first_name,
        User.bio,
        User.image,
        User.favorite_band,
        User.website,
        User.created_at,
        list_total(USER_FOLLOWERS, User.id).scalar_subquery(),
        list_total(USER_FOLLOWING, User.id).scalar_subquery(),
    )


def _profile(row: FetchedRow) -> ProfileRow:
    profile = ProfileRow._make(row)
    band = profile.favorite_band
    return profile._replace(favorite_band=MusicBand(band) if band else None)


@statement("profile_by_id", _profile)
def _by_id() -> AnySelect:
    return _profile_columns().where(User.id == bindparam("user_id"))


@statement("profile_by_username", _profile)
def _by_username() -> AnySelect:
    # The username's own case-insensitive unique index serves it.
    return _profile_columns().where(
        func.lower(User.username) == func.lower(bindparam("username"))
    )


async def get_profile(readable: Readable, user_id: UUID) -> ProfileRow | None:
    """The user's profile, or None."""
    return await fetch_one(readable, _by_id, user_id=user_id)


async def get_profile_by_username(
    readable: Readable, username: str
) -> ProfileRow | None:
    """The profile of the user with this username (any case), or None."""
    return await fetch_one(readable, _by_username, username=username)


async def follow(uow: UnitOfWork, *, follower_id: UUID, followee_id: UUID) -> bool:
    """`follower_id` follows `followee_id`, who is told; False if they
    already did (nothing changes, nobody is told)."""
    insert = insert_ignoring_duplicates(Follow, uow.session.get_bind().dialect.name)
    added = await uow.session.scalar(
        insert.values(follower_id=follower_id, followee_id=followee_id).returning(
            Follow.followee_id
        )
    )
    if added is None:
        return False
    profile_changed(uow, follower_id, followee_id)
    await notifications_service.notify(
        uow,
        user_id=followee_id,
        actor_id=follower_id,
        kind=NotificationType.USER_FOLLOWED,
    )
    logger.info("user_followed", followee_id=str(followee_id))
    return True


async def unfollow(uow: UnitOfWork, *, follower_id: UUID, followee_id: UUID) -> bool:
    """`follower_id` no longer follows `followee_id`; False if they did not."""
    removed = await uow.session.scalar(
        delete(Follow)
        .where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
        .returning(Follow.followee_id)
    )
    if removed is None:
        return False
    profile_changed(uow, follower_id, followee_id)
    return True


@statement("follows", first_column)
def _follows() -> AnySelect:
    return select(literal_column("1")).where(
        Follow.follower_id == bindparam("follower_id"),
        Follow.followee_id == bindparam("followee_id"),
    )


async def is_following(
    readable: Readable, *, follower_id: UUID | None, followee_id: UUID
) -> bool:
    """Whether `follower_id` follows `followee_id` (False anonymously)."""
    if follower_id is None:
        return False
    found = await fetch_one(
        readable, _follows, follower_id=follower_id, followee_id=followee_id
    )
    return found is not None


@statement("followed_among", first_column)
def _followed_among() -> AnySelect:
    return select(Follow.followee_id).where(
        Follow.follower_id == bindparam("follower_id"),
        in_ids(Follow.followee_id, "user_ids"),
    )


async def followed_among(
    readable: Readable, *, follower_id: UUID | None, user_ids: Collection[UUID]
) -> set[UUID]:
    """Which of these users `follower_id` follows: one statement for a page
    (none anonymously)."""
    if follower_id is None or not user_ids:
        return set()
    followed = await fetch_all(
        readable, _followed_among, follower_id=follower_id, user_ids=user_ids
    )
    return set(followed)


@statement("followers", _profile)
def _followers() -> AnySelect:
    return (
        _profile_columns()
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.followee_id == bindparam("user_id"))
    )


@statement("followers_total", first_column)
def _followers_total() -> AnySelect:
    return list_total(USER_FOLLOWERS, bindparam("user_id"))


@statement("following", _profile)
def _following() -> AnySelect:
    return (
        _profile_columns()
        .join(Follow, Follow.followee_id == User.id)
        .where(Follow.follower_id == bindparam("user_id"))
    )


@statement("following_total", first_column)
def _following_total() -> AnySelect:
    return list_total(USER_FOLLOWING, bindparam("user_id"))


async def list_followers(
    readable: Readable, *, user_id: UUID, pagination: PaginationParams
) -> Fetched[ProfileRow]:
    """Who follows the user, most recent first."""
    return await fetch_page(
        readable,
        _followers,
        _followers_total,
        pagination,
        order=(Follow.created_at, Follow.follower_id),
        descending=True,
        parameters={"user_id": user_id},
    )


async def list_following(
    readable: Readable, *, user_id: UUID, pagination: PaginationParams
) -> Fetched[ProfileRow]:
    """Whom the user follows, most recent first."""
    return await fetch_page(
        readable,
        _following,
        _following_total,
        pagination,
        order=(Follow.created_at, Follow.followee_id),
        descending=True,
        parameters={"user_id": user_id},
    )


class AuthorRow(NamedTuple):
    """A user as shown beside what they wrote: name, bio, picture, and
    whether the caller follows them."""

    id: UUID
    username: str
    bio: str
    image: str | None
    following: bool


@statement("authors_among", AuthorRow._make)
def _authors_among() -> AnySelect:
    followed = (
        select(literal_column("1"))
        .where(
            Follow.follower_id == bindparam("follower_id"),
            Follow.followee_id == User.id,
        )
        .exists()
    )
    return select(User.id, User.username, User.bio, User.image, followed).where(
        in_ids(User.id, "user_ids")
    )


async def authors_among(
    readable: Readable, *, follower_id: UUID | None, user_ids: Collection[UUID]
) -> dict[UUID, AuthorRow]:
    """These users as authors, and whether `follower_id` follows each: one
    statement for a page (following nobody anonymously)."""
    if not user_ids:
        return {}
    rows = await fetch_all(
        readable, _authors_among, follower_id=follower_id, user_ids=set(user_ids)
    )
    return {row.id: row for row in rows}
