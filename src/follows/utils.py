from collections.abc import Sequence
from uuid import UUID

from src.auth.schemas import UserPublic
from src.database.reads import Readable
from src.follows import service
from src.follows.service import ProfileRow


def profile_response(row: ProfileRow, *, following: bool) -> UserPublic:
    """The one mapping of a profile's row to what clients get; `following`
    is the caller's."""
    return UserPublic(
        id=row.id,
        username=row.username,
        first_name=row.first_name,
        bio=row.bio,
        image=row.image,
        favorite_band=row.favorite_band,
        website=row.website,
        created_at=row.created_at,
        followers_count=row.followers_count,
        following_count=row.following_count,
        following=following,
    )


async def profiles_as_seen_by(
    readable: Readable, profiles: Sequence[ProfileRow], caller: UUID | None
) -> list[UserPublic]:
    """Profiles as `caller` sees them: whom they follow is one statement."""
    followed = await service.followed_among(
        readable, follower_id=caller, user_ids=[profile.id for profile in profiles]
    )
    return [
        profile_response(profile, following=profile.id in followed)
        for profile in profiles
    ]


async def profile_as_seen_by(
    readable: Readable, profile: ProfileRow, caller: UUID | None
) -> UserPublic:
    """One profile as `caller` sees it."""
    following = await service.is_following(
        readable, follower_id=caller, followee_id=profile.id
    )
    return profile_response(profile, following=following)
