"""Conduit tokens: opaque, stored hashed as session tokens of their own kind,
so that everything that ends a user's sessions (a password change or reset,
logging out everywhere, deleting the account) ends them too
(docs/decisions/conduit-tokens.md)."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import bindparam, select

from src.auth import service as auth_service
from src.auth import sessions, utils
from src.auth.config import AuthConfig
from src.auth.constants import SessionTokenKind
from src.auth.models import RefreshToken, User
from src.auth.schemas import UserUpdate
from src.database.base import utcnow
from src.database.reads import AnySelect, Readable, fetch_one, first_column, statement
from src.database.unit_of_work import UnitOfWork


async def issue_token(uow: UnitOfWork, *, user_id: UUID, lifetime: timedelta) -> str:
    """A new Conduit token for the user, valid for `lifetime`."""
    return await sessions.store_token(
        uow, user_id=user_id, kind=SessionTokenKind.CONDUIT, lifetime=lifetime
    )


@statement("conduit_token_user", first_column)
def _token_user() -> AnySelect:
    return select(RefreshToken.user_id).where(
        RefreshToken.token_hash == bindparam("token_hash"),
        RefreshToken.kind == SessionTokenKind.CONDUIT.value,
        RefreshToken.revoked_at.is_(None),
        RefreshToken.expires_at > bindparam("now", type_=RefreshToken.expires_at.type),
    )


async def token_user(readable: Readable, token: str) -> UUID | None:
    """Whose live Conduit token this is; None for an unknown, expired or
    revoked one. One lookup by the token's unique hash."""
    user_id: UUID | None = await fetch_one(
        readable,
        _token_user,
        token_hash=utils.hash_opaque_token(token),
        now=utcnow(),
    )
    return user_id


async def update_account(
    uow: UnitOfWork,
    *,
    user: User,
    profile: UserUpdate,
    password: str | None,
    config: AuthConfig,
    lifetime: timedelta,
) -> tuple[User, str | None]:
    """Apply a Conduit settings form: profile fields as the native update
    does; a new password (hashed before the transaction's first statement)
    ends every session of the user, this one included, and the caller gets
    a new token in its place (None when the password is unchanged)."""
    hashed = await utils.hash_password(password, config) if password else None
    updated = await auth_service.update_user(uow, user=user, data=profile)
    if hashed is None:
        return updated, None
    await auth_service.set_password(uow, user_id=user.id, hashed_password=hashed)
    return updated, await issue_token(uow, user_id=user.id, lifetime=lifetime)
