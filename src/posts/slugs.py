"""A post's slug: made from its title, unique across every slug any post
has had, and never lost: an earlier slug keeps leading to the post."""

import secrets
from uuid import UUID

from slugify import slugify
from sqlalchemy import bindparam, select, update

from src.database.base import insert_ignoring_duplicates
from src.database.reads import (
    AnySelect,
    Readable,
    fetch_one,
    first_column,
    statement,
)
from src.database.unit_of_work import UnitOfWork
from src.posts.constants import SLUG_MAX_LENGTH
from src.posts.models import Post, PostSlug

# A slug taken by another post gets this many random characters appended
# (base 36: a second collision is about one in two billion).
SUFFIX_CHARACTERS = 6
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
# For a title with no letter or digit that has an ASCII spelling.
UNTITLED = "post"
CLAIM_ATTEMPTS = 3


def slug_base(title: str) -> str:
    """Lowercase ASCII letters and digits joined by `-`, short enough for a
    suffix to fit; never empty."""
    room = SLUG_MAX_LENGTH - SUFFIX_CHARACTERS - 1
    return slugify(title, max_length=room, word_boundary=True) or UNTITLED


def _suffixed(base: str) -> str:
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(SUFFIX_CHARACTERS))
    return f"{base}-{suffix}"


async def free_slug(uow: UnitOfWork, *, title: str, post_id: UUID | None = None) -> str:
    """A slug for `title`: its own if no post has had it (or `post_id`
    had), else it with a random suffix. Reads committed slugs only, so it
    never waits on another post's transaction, however many share a title.
    """
    base = slug_base(title)
    owner = await fetch_one(uow, _slug_owner, slug=base)
    return base if owner is None or owner == post_id else _suffixed(base)


@statement("slug_owner", first_column)
def _slug_owner() -> AnySelect:
    return select(PostSlug.post_id).where(PostSlug.slug == bindparam("slug"))


async def record_slug(uow: UnitOfWork, *, post_id: UUID, title: str, slug: str) -> str:
    """Keep `slug` (from `free_slug(title)`) as one of the post's; returns
    it, or another suffix of the title's slug if a post created at the same
    moment took it."""
    session = uow.session
    insert = insert_ignoring_duplicates(PostSlug, session.get_bind().dialect.name)
    candidate = slug
    for _ in range(CLAIM_ATTEMPTS):
        claimed = await session.scalar(
            insert.values(slug=candidate, post_id=post_id).returning(PostSlug.slug)
        )
        if claimed is not None:
            return candidate
        owner = await session.scalar(
            select(PostSlug.post_id).where(PostSlug.slug == candidate)
        )
        if owner == post_id:
            return candidate
        candidate = _suffixed(slug_base(title))
    raise RuntimeError(f"no free slug for {title!r}")  # pragma: no cover


async def rename(uow: UnitOfWork, *, post_id: UUID, title: str, current: str) -> str:
    """Give the post the slug of its new `title` (its earlier ones are kept);
    returns the post's current slug."""
    slug = await free_slug(uow, title=title, post_id=post_id)
    if slug == current:
        return slug
    slug = await record_slug(uow, post_id=post_id, title=title, slug=slug)
    await uow.session.execute(update(Post).where(Post.id == post_id).values(slug=slug))
    return slug


@statement("post_by_slug", lambda row: (row[0], row[1]))
def _by_slug() -> AnySelect:
    return (
        select(PostSlug.post_id, Post.slug)
        .join(Post, Post.id == PostSlug.post_id)
        .where(PostSlug.slug == bindparam("slug"))
    )


async def resolve(readable: Readable, slug: str) -> tuple[UUID, str] | None:
    """The post `slug` leads to and its current slug, or None."""
    return await fetch_one(readable, _by_slug, slug=slug)
