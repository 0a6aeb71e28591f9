"""Tags: rows of their own, linked to posts, counted by the database."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import insert_ignoring_duplicates
from src.database.counts import ListCount
from src.database.reads import AnySelect, Readable, first_column, statement
from src.database.unit_of_work import UnitOfWork
from src.pagination import Fetched, PaginationParams, fetch_page
from src.tags.models import TAG_POSTS, PostTag, Tag


async def set_post_tags(
    uow: UnitOfWork,
    *,
    post_id: UUID,
    creator_id: UUID,
    published_at: datetime | None,
    names: Sequence[str],
    new_post: bool = False,
) -> None:
    """File the post under `names` (normalised), in that order, instead of
    its tags so far (a `new_post` has none); tags new to the platform are
    created."""
    session = uow.session
    if not new_post:
        await session.execute(delete(PostTag).where(PostTag.post_id == post_id))
    if not names:
        return
    ids = await _tag_ids(session, names)
    if missing := [name for name in names if name not in ids]:
        # Only tags not yet committed are inserted: an insert that meets a
        # name another transaction is inserting waits for it to end.
        dialect = session.get_bind().dialect.name
        await session.execute(
            insert_ignoring_duplicates(Tag, dialect),
            [{"name": name} for name in missing],
        )
        ids |= await _tag_ids(session, missing)
    await session.execute(
        insert(PostTag),
        [
            {
                "post_id": post_id,
                "tag_id": ids[name],
                "position": position,
                "creator_id": creator_id,
                "published_at": published_at,
            }
            for position, name in enumerate(names)
        ],
    )


async def _tag_ids(session: AsyncSession, names: Sequence[str]) -> dict[str, UUID]:
    rows = await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names)))
    return dict(rows.all())


async def list_post_under_its_tags(
    uow: UnitOfWork, *, post_id: UUID, published_at: datetime
) -> None:
    """The post is published: its tags' pages list it from now on."""
    await uow.session.execute(
        update(PostTag)
        .where(PostTag.post_id == post_id)
        .values(published_at=published_at)
    )


async def unlist_post_from_its_tags(uow: UnitOfWork, *, post_id: UUID) -> None:
    """The post leaves its tags' pages (a moderator hid it)."""
    await uow.session.execute(
        update(PostTag).where(PostTag.post_id == post_id).values(published_at=None)
    )


class TagRow(NamedTuple):
    name: str
    posts_count: int


@statement("tags", TagRow._make)
def _tags() -> AnySelect:
    # The counts are read from their own index, most used first; a tag with
    # no listed post left is not listed.
    return (
        select(Tag.name, ListCount.total)
        .select_from(ListCount)
        .join(Tag, Tag.id == ListCount.owner_id)
        .where(ListCount.list_name == TAG_POSTS.name, ListCount.total > 0)
    )


@statement("tags_total", first_column)
def _tags_total() -> AnySelect:
    return (
        select(func.count())
        .select_from(ListCount)
        .where(ListCount.list_name == TAG_POSTS.name, ListCount.total > 0)
    )


async def list_tags(
    readable: Readable, *, pagination: PaginationParams
) -> Fetched[TagRow]:
    """Tags by their number of listed posts, most used first."""
    return await fetch_page(
        readable,
        _tags,
        _tags_total,
        pagination,
        order=(ListCount.total, ListCount.owner_id),
        descending=True,
        parameters={},
    )
