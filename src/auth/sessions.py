"""Session tokens: the native API's access and refresh tokens. Refresh
tokens are stored hashed, rotated on use, and revoked together when a
user's sessions end (which ends their Conduit tokens too: same table)."""

from collections.abc import Collection
from datetime import timedelta
from typing import NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import select, update

from src.auth import utils
from src.auth.config import AuthConfig
from src.auth.constants import SessionTokenKind
from src.auth.exceptions import InvalidRefreshToken
from src.auth.models import RefreshToken
from src.database.base import utcnow
from src.database.unit_of_work import UnitOfWork
from src.web import events

logger = structlog.get_logger(__name__)


class IssuedTokens(NamedTuple):
    access_token: str
    # Seconds the access token is valid.
    expires_in: int
    refresh_token: str


async def store_token(
    uow: UnitOfWork, *, user_id: UUID, kind: SessionTokenKind, lifetime: timedelta
) -> str:
    """A new opaque session token of this kind for the user, stored hashed
    and valid for `lifetime`; the value is handed out once, here."""
    token = utils.new_opaque_token()
    uow.session.add(
        RefreshToken(
            user_id=user_id,
            kind=kind,
            token_hash=utils.hash_opaque_token(token),
            expires_at=utcnow() + lifetime,
        )
    )
    await uow.session.flush()
    return token


async def issue_tokens(
    uow: UnitOfWork, *, user_id: UUID, config: AuthConfig
) -> IssuedTokens:
    """A new access token and a new stored refresh token for the user."""
    refresh_token = await store_token(
        uow,
        user_id=user_id,
        kind=SessionTokenKind.REFRESH,
        lifetime=config.REFRESH_TOKEN_EXP,
    )
    return IssuedTokens(
        access_token=utils.create_access_token(user_id, config),
        expires_in=int(timedelta(minutes=config.JWT_EXP).total_seconds()),
        refresh_token=refresh_token,
    )


async def rotate_refresh_token(
    uow: UnitOfWork, *, token: str, config: AuthConfig
) -> IssuedTokens:
    """Exchange a live refresh token for a new pair; the old one dies.

    A token that was already rotated or revoked is taken as stolen: every
    refresh token of its user is revoked.
    """
    now = utcnow()
    session = uow.session
    stored = await session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == utils.hash_opaque_token(token),
            RefreshToken.kind == SessionTokenKind.REFRESH,
        )
    )
    if stored is None or stored.expires_at <= now:
        raise InvalidRefreshToken
    # Conditional update: of two concurrent rotations only one matches a row.
    rotated = await session.scalar(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(RefreshToken.id)
    )
    if rotated is None:
        await revoke_all_refresh_tokens(uow, user_id=stored.user_id)
        # The revocation must stand although the request is answered with 401.
        uow.keep_writes()
        logger.warning("refresh_token_reuse", user_id=str(stored.user_id))
        raise InvalidRefreshToken
    return await issue_tokens(uow, user_id=stored.user_id, config=config)


async def revoke_refresh_tokens(uow: UnitOfWork, *, tokens: Collection[str]) -> None:
    """Revoke these refresh tokens; unknown or dead ones are ignored."""
    if not tokens:
        return
    await uow.session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash.in_(
                [utils.hash_opaque_token(token) for token in tokens]
            ),
            RefreshToken.kind == SessionTokenKind.REFRESH,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def revoke_all_refresh_tokens(uow: UnitOfWork, *, user_id: UUID) -> None:
    """Revoke every live refresh token of the user (log out everywhere),
    and end their open streams once that commits."""
    events.end_user_streams(uow, user_id)
    await uow.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
