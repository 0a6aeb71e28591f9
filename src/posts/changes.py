"""What a write changed of the posts' public reads, recorded in its unit of
work for the read cache (src/posts/cache.py), which drops what showed it
once the write commits."""

from uuid import UUID

from src.auth.constants import AUTHORS_CACHE_NAME
from src.database.unit_of_work import UnitOfWork
from src.web.read_cache import changed

# The public list of posts: which posts, in which order, with their counts.
PUBLIC_LIST = "posts"


def post_name(post_id: UUID) -> str:
    """The read cache's name for one post: its fields and its counts."""
    return f"post:{post_id}"


def post_changed(uow: UnitOfWork, post_id: UUID) -> None:
    """What a post shows changed (an edit, its counts, its visibility)."""
    changed(uow, post_name(post_id), PUBLIC_LIST)


def list_changed(uow: UnitOfWork) -> None:
    """A post joined or left the public list."""
    changed(uow, PUBLIC_LIST)


def authors_changed(uow: UnitOfWork) -> None:
    """What posts show of an author changed: every post's entry is dropped."""
    changed(uow, AUTHORS_CACHE_NAME)
