"""API keys: made, listed and revoked by their user, looked up on every
request that presents one. A key is `pk_` and 32 random bytes; only its
SHA-256 is stored (docs/decisions/api-key-hashing.md)."""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import ColumnElement, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth import utils
from src.auth.constants import (
    API_KEY_BYTES,
    API_KEY_PREFIX,
    API_KEY_SHOWN_LENGTH,
    API_KEYS_PER_USER,
    ApiKeyScope,
)
from src.auth.exceptions import ApiKeyNotFound, TooManyApiKeys
from src.auth.models import ApiKey, User
from src.database.base import utcnow
from src.database.reads import AnySelect, Readable, fetch_one, statement
from src.database.unit_of_work import UnitOfWork, UnitsOfWork
from src.moderation import audit
from src.moderation.constants import AuditAction, TargetType

logger = structlog.get_logger(__name__)

# `last_used_at` is kept to this precision: at most one write per key per
# interval, however many requests it signs.
LAST_USED_PRECISION = timedelta(minutes=1)


class IssuedKey(NamedTuple):
    key: ApiKey
    # The key itself: shown once, never stored.
    secret: str


def looks_like_key(token: str) -> bool:
    """Whether a presented credential is an API key (not an access token)."""
    return token.startswith(API_KEY_PREFIX)


async def create_key(
    uow: UnitOfWork,
    *,
    user_id: UUID,
    name: str,
    scopes: list[ApiKeyScope],
    expires_at: datetime | None,
) -> IssuedKey:
    """A new key for the user (`TooManyApiKeys` past the limit); its secret
    is in the answer only."""
    # The user's row is locked so two creations cannot both pass the limit.
    await uow.session.execute(
        select(User.id).where(User.id == user_id).with_for_update()
    )
    held = await uow.session.scalar(
        select(func.count()).select_from(ApiKey).where(ApiKey.user_id == user_id)
    )
    if (held or 0) >= API_KEYS_PER_USER:
        raise TooManyApiKeys
    secret = API_KEY_PREFIX + secrets.token_urlsafe(API_KEY_BYTES)
    key = ApiKey(
        user_id=user_id,
        name=name,
        prefix=secret[:API_KEY_SHOWN_LENGTH],
        key_hash=utils.hash_opaque_token(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    uow.session.add(key)
    await uow.session.flush()
    logger.info("api_key_created", user_id=str(user_id), key_id=str(key.id))
    return IssuedKey(key, secret)


async def list_keys(session: AsyncSession, user_id: UUID) -> list[ApiKey]:
    """The user's keys, newest first."""
    result = await session.scalars(
        select(ApiKey)
        .where(ApiKey.user_id == user_id)
        .order_by(ApiKey.created_at.desc(), ApiKey.id)
    )
    return list(result)


async def revoke_key(
    uow: UnitOfWork, *, key_id: UUID, user_id: UUID, by: User | None = None
) -> None:
    """Delete the user's key at once (`ApiKeyNotFound` if they have none by
    that id). Revoked by someone else (`by`, an admin): audited."""
    deleted = await uow.session.scalar(
        delete(ApiKey)
        .where(ApiKey.id == key_id, ApiKey.user_id == user_id)
        .returning(ApiKey.id)
    )
    if deleted is None:
        raise ApiKeyNotFound
    if by is not None and by.id != user_id:
        await audit.record(
            uow,
            actor=by,
            action=AuditAction.API_KEY_REVOKED,
            target_type=TargetType.API_KEY,
            target_id=key_id,
        )
    logger.info("api_key_revoked", user_id=str(user_id), key_id=str(key_id))


async def revoke_all_keys(uow: UnitOfWork, *, user_id: UUID) -> None:
    """Delete every key of the user (a password change that asks for it)."""
    await uow.session.execute(delete(ApiKey).where(ApiKey.user_id == user_id))


class KeyGrant(NamedTuple):
    """What a presented key grants: its id, its scopes, and when it was
    last recorded as used."""

    id: UUID
    scopes: frozenset[str]
    expires_at: datetime | None
    last_used_at: datetime | None


def user_columns() -> list[ColumnElement[Any]]:
    """Every column of a user, in the table's order (`user_from_row`)."""
    return list(User.__table__.columns)


def user_from_row(values: Sequence[Any]) -> User:
    """A `User` from the values of `user_columns()`: not attached to a
    session (its relationships are not loaded)."""
    names = [column.key for column in User.__table__.columns]
    return User(**dict(zip(names, values, strict=True)))


def _key_and_user(values: Sequence[Any]) -> tuple[KeyGrant, Sequence[Any]]:
    key_id, scopes, expires_at, last_used_at = values[:4]
    return KeyGrant(key_id, frozenset(scopes), expires_at, last_used_at), values[4:]


@statement("api_key_with_user", _key_and_user)
def _by_hash() -> AnySelect:
    return (
        select(
            ApiKey.id,
            ApiKey.scopes,
            ApiKey.expires_at,
            ApiKey.last_used_at,
            *user_columns(),
        )
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.key_hash == bindparam("key_hash"))
    )


async def find_key(
    readable: Readable, secret: str
) -> tuple[KeyGrant, Sequence[Any]] | None:
    """The key and its user's columns (`user_from_row`), by the key itself:
    one statement on the unique index of the hashes. None for an unknown or
    expired key."""
    found = await fetch_one(
        readable, _by_hash, key_hash=utils.hash_opaque_token(secret)
    )
    if found is None:
        return None
    grant, _ = found
    if grant.expires_at is not None and grant.expires_at <= utcnow():
        return None
    return found


async def note_use(units: UnitsOfWork, grant: KeyGrant) -> None:
    """Record that the key was used, at most once per `LAST_USED_PRECISION`
    (the grant read with the key says whether it is due)."""
    now = utcnow()
    if (
        grant.last_used_at is not None
        and now - grant.last_used_at < LAST_USED_PRECISION
    ):
        return
    async with units() as uow:
        await uow.session.execute(
            update(ApiKey)
            .where(
                ApiKey.id == grant.id,
                or_(
                    ApiKey.last_used_at.is_(None),
                    ApiKey.last_used_at < now - LAST_USED_PRECISION,
                ),
            )
            .values(last_used_at=now)
        )
