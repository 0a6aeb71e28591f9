"""What a write changed of the public profiles, recorded in its unit of work
for the read cache (src/follows/cache.py), which drops what showed it once
the write commits."""

from uuid import UUID

from src.database.unit_of_work import UnitOfWork
from src.web.read_cache import changed


def profile_name(user_id: UUID) -> str:
    """The read cache's name for one public profile: its fields, its counts."""
    return f"user:{user_id}"


def profile_changed(uow: UnitOfWork, *user_ids: UUID) -> None:
    """What these users' profiles show changed (an edit, a follow)."""
    changed(uow, *(profile_name(user_id) for user_id in user_ids))
