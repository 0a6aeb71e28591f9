"""Favorites: a user keeps a post; the database counts both sides."""

from collections.abc import Collection
from uuid import UUID

import structlog
from sqlalchemy import bindparam, delete, false, literal_column, select, update

from src.database.base import in_ids, insert_ignoring_duplicates
from src.database.counts import list_total
from src.database.reads import (
    AnySelect,
    Readable,
    fetch_all,
    fetch_one,
    first_column,
    statement,
)
from src.database.unit_of_work import UnitOfWork
from src.favorites.models import USER_FAVORITES, Favorite
from src.notifications import service as notifications_service
from src.notifications.constants import NotificationType
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.changes import post_changed
from src.posts.constants import PostStatus
from src.posts.models import Post
from src.posts.service import PostRow, post_columns, post_row

logger = structlog.get_logger(__name__)


async def favorite(uow: UnitOfWork, *, user_id: UUID, post: PostRow) -> bool:
    """The user keeps the post; False if they already did (nothing changes,
    nobody is notified). Its creator is told, unless it is their own post.
    """
    insert = insert_ignoring_duplicates(Favorite, uow.session.get_bind().dialect.name)
    added = await uow.session.scalar(
        insert.values(
            user_id=user_id,
            post_id=post.id,
            # Its author may favorite a hidden post: out of their list too.
            post_hidden=select(Post.status == PostStatus.HIDDEN)
            .where(Post.id == post.id)
            .scalar_subquery(),
        ).returning(Favorite.post_id)
    )
    if added is None:
        return False
    post_changed(uow, post.id)
    if post.creator_id != user_id:
        await notifications_service.notify(
            uow,
            user_id=post.creator_id,
            actor_id=user_id,
            kind=NotificationType.POST_FAVORITED,
            post_id=post.id,
        )
    logger.info("post_favorited", post_id=str(post.id))
    return True


async def unfavorite(uow: UnitOfWork, *, user_id: UUID, post_id: UUID) -> bool:
    """The user no longer keeps the post; False if they did not."""
    removed = await uow.session.scalar(
        delete(Favorite)
        .where(Favorite.user_id == user_id, Favorite.post_id == post_id)
        .returning(Favorite.post_id)
    )
    if removed is None:
        return False
    post_changed(uow, post_id)
    return True


@statement("favorited_among", first_column)
def _favorited_among() -> AnySelect:
    return select(Favorite.post_id).where(
        Favorite.user_id == bindparam("user_id"), in_ids(Favorite.post_id, "post_ids")
    )


async def favorited_among(
    readable: Readable, *, user_id: UUID | None, post_ids: Collection[UUID]
) -> set[UUID]:
    """Which of these posts the user keeps: one statement for a whole page
    (none for an anonymous caller)."""
    if user_id is None or not post_ids:
        return set()
    return set(
        await fetch_all(readable, _favorited_among, user_id=user_id, post_ids=post_ids)
    )


@statement("favorited", first_column)
def _favorited() -> AnySelect:
    return select(literal_column("1")).where(
        Favorite.user_id == bindparam("user_id"),
        Favorite.post_id == bindparam("post_id"),
    )


async def is_favorited(
    readable: Readable, *, user_id: UUID | None, post_id: UUID
) -> bool:
    """Whether the user keeps the post (False for an anonymous caller)."""
    if user_id is None:
        return False
    return (
        await fetch_one(readable, _favorited, user_id=user_id, post_id=post_id)
        is not None
    )


@statement("user_favorites", post_row)
def _user_favorites() -> AnySelect:
    return (
        post_columns()
        .join(Favorite, Favorite.post_id == Post.id)
        .where(
            Favorite.user_id == bindparam("user_id"), Favorite.post_hidden == false()
        )
    )


@statement("user_favorites_total", first_column)
def _user_favorites_total() -> AnySelect:
    return list_total(USER_FAVORITES, bindparam("user_id"))


async def list_favorites(
    readable: Readable, *, user_id: UUID, pagination: PaginationParams
) -> Fetched[PostRow]:
    """The posts a user keeps, most recently favorited first."""
    return await fetch_page(
        readable,
        _user_favorites,
        _user_favorites_total,
        pagination,
        order=(Favorite.created_at, Favorite.post_id),
        descending=True,
        parameters={"user_id": user_id},
    )


async def set_post_hidden(uow: UnitOfWork, *, post_id: UUID, hidden: bool) -> None:
    """The post's favorites leave (or rejoin) their users' lists and counts
    as a moderator hides (or shows) it."""
    await uow.session.execute(
        update(Favorite).where(Favorite.post_id == post_id).values(post_hidden=hidden)
    )
