"""The feed is read when it is asked for: the followed authors' published
posts, merged along one index in publication order (fan-out on read;
docs/decisions/feed.md says why and what it costs)."""

from uuid import UUID

from sqlalchemy import BigInteger, bindparam, cast, func, literal_column, select

from src.database.counts import ListCount
from src.database.reads import AnySelect, Readable, first_column, statement
from src.follows.models import Follow
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.models import USER_POSTS, Post
from src.posts.service import PostRow, post_columns, post_row


def _followed() -> AnySelect:
    return select(Follow.followee_id).where(Follow.follower_id == bindparam("user_id"))


@statement("feed", post_row)
def _feed() -> AnySelect:
    return post_columns().where(
        Post.status == literal_column("'published'"),
        Post.creator_id.in_(_followed()),
    )


@statement("feed_total", first_column)
def _feed_total() -> AnySelect:
    # The sum of the followed authors' kept counts of published posts.
    return select(cast(func.coalesce(func.sum(ListCount.total), 0), BigInteger)).where(
        ListCount.list_name == USER_POSTS.name,
        ListCount.owner_id.in_(_followed()),
    )


async def list_feed(
    readable: Readable, *, user_id: UUID, pagination: PaginationParams
) -> Fetched[PostRow]:
    """Published posts by the users `user_id` follows, newest published first."""
    return await fetch_page(
        readable,
        _feed,
        _feed_total,
        pagination,
        order=(Post.published_at, Post.id),
        descending=True,
        parameters={"user_id": user_id},
        # Whether to walk the followed authors or the newest posts depends
        # on whom the user follows.
        custom_plans=True,
    )
