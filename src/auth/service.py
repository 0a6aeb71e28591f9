from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import NamedTuple
from uuid import UUID

import structlog
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from src.attachments import service as attachments_service
from src.auth import sessions, utils
from src.auth.changes import profile_changed
from src.auth.config import AuthConfig
from src.auth.constants import Role
from src.auth.exceptions import (
    AccountSuspended,
    EmailTaken,
    InvalidCredentials,
    UsernameTaken,
    WrongPassword,
)
from src.auth.models import EmailToken, RefreshToken, User
from src.auth.schemas import PasswordChange, UserCreate, UserUpdate
from src.database.base import unique_violation, utcnow
from src.database.unit_of_work import UnitOfWork
from src.posts import service as posts_service
from src.posts.changes import authors_changed
from src.web import events

logger = structlog.get_logger(__name__)

_CONFLICTS = {
    "auth_user_email_key": EmailTaken,
    "auth_user_username_lower_key": UsernameTaken,
    "auth_user_username_skeleton_key": UsernameTaken,
}


@asynccontextmanager
async def _conflicts_as_409(session: AsyncSession) -> AsyncGenerator[None]:
    """Run the block in a savepoint; a known unique violation becomes its 409."""
    try:
        async with session.begin_nested():
            yield
    except IntegrityError as exc:
        if conflict := _CONFLICTS.get(unique_violation(exc) or ""):
            raise conflict from exc
        raise


async def get_user(session: AsyncSession, user_id: UUID) -> User | None:
    """The user with this id, or None."""
    return await session.get(User, user_id)


async def get_user_by_login(session: AsyncSession, login: str) -> User | None:
    """The user whose username (any case) or email is `login`."""
    login = login.strip()
    if "\x00" in login:
        # No username or email holds NUL, and PostgreSQL text cannot: a
        # form field is not validated like a JSON body.
        return None
    return await session.scalar(
        select(User).where(
            or_(
                func.lower(User.username) == login.lower(),
                User.email == login.lower(),
            )
        )
    )


async def create_user(
    uow: UnitOfWork,
    *,
    data: UserCreate,
    config: AuthConfig,
    role: Role = Role.MEMBER,
) -> User:
    """Register a user; a taken email or username raises 409."""
    # Hash before the first statement: the unit of work's transaction is not
    # open yet, so no lock or connection is held during the slow part.
    hashed_password = await utils.hash_password(data.password, config)
    user = User(
        email=data.email.lower(),
        username=data.username,
        hashed_password=hashed_password,
        first_name=data.first_name,
        age=data.age,
        favorite_band=data.favorite_band,
        website=data.website,
        role=role,
    )
    uow.session.add(user)
    async with _conflicts_as_409(uow.session):
        await uow.session.flush()
    logger.info("user_registered", user_id=str(user.id))
    return user


class Authenticated(NamedTuple):
    user: User
    # The password hashed with today's parameters, if the stored hash is older.
    upgraded_hash: str | None


async def authenticate(
    session: AsyncSession, *, login: str, password: str, config: AuthConfig
) -> Authenticated:
    """The user these credentials belong to; InvalidCredentials otherwise,
    AccountSuspended if they are right but the account is suspended.

    Only reads: give it the read session, so no transaction is open while the
    password is verified. Unknown users cost the same hash work as a wrong
    password.
    """
    user = await get_user_by_login(session, login)
    valid, upgraded_hash = await utils.verify_password(
        password, user.hashed_password if user else None, config
    )
    if user is None or not valid:
        logger.info("login_failed")
        raise InvalidCredentials
    if user.suspended_at is not None:
        # Said only to whoever knows the password.
        raise AccountSuspended
    return Authenticated(user, upgraded_hash)


async def log_in(
    uow: UnitOfWork,
    *,
    user_id: UUID,
    upgraded_hash: str | None,
    config: AuthConfig,
) -> sessions.IssuedTokens:
    """New tokens for an authenticated user; stores an upgraded password hash."""
    await store_upgraded_hash(uow, user_id=user_id, upgraded_hash=upgraded_hash)
    return await sessions.issue_tokens(uow, user_id=user_id, config=config)


async def store_upgraded_hash(
    uow: UnitOfWork, *, user_id: UUID, upgraded_hash: str | None
) -> None:
    """Keep the password hashed with today's parameters, if `authenticate`
    made one."""
    if upgraded_hash is not None:
        await uow.session.execute(
            update(User).where(User.id == user_id).values(hashed_password=upgraded_hash)
        )
        logger.info("password_hash_upgraded", user_id=str(user_id))


async def update_user(uow: UnitOfWork, *, user: User, data: UserUpdate) -> User:
    """Apply the fields present in `data`; a taken username raises 409."""
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return user
    async with _conflicts_as_409(uow.session):
        updated: User | None = await uow.session.scalar(
            update(User)
            .where(User.id == user.id)
            .values(**changes, updated_at=utcnow())
            .returning(User)
        )
    if updated is None:  # pragma: no cover - the account was deleted meanwhile
        raise InvalidCredentials
    profile_changed(uow, user.id)
    if "username" in changes:
        # Every post shows its author's username.
        authors_changed(uow)
    return updated


async def set_password(uow: UnitOfWork, *, user_id: UUID, hashed_password: str) -> None:
    """Store a new password hash and revoke every refresh token of the user."""
    await uow.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(hashed_password=hashed_password, updated_at=utcnow())
    )
    await sessions.revoke_all_refresh_tokens(uow, user_id=user_id)


async def change_password(
    uow: UnitOfWork, *, user: User, data: PasswordChange, config: AuthConfig
) -> None:
    """Change the password after checking the current one (400 if wrong).

    Both hash computations come before the first statement, so the unit of
    work's transaction holds only the UPDATEs.
    """
    valid, _ = await utils.verify_password(
        data.current_password, user.hashed_password, config
    )
    if not valid:
        raise WrongPassword
    hashed_password = await utils.hash_password(data.new_password, config)
    await set_password(uow, user_id=user.id, hashed_password=hashed_password)
    logger.info("password_changed", user_id=str(user.id))


async def set_email(uow: UnitOfWork, *, user_id: UUID, email: str) -> None:
    """Give the account a new address, verified (409 if another has it)."""
    async with _conflicts_as_409(uow.session):
        await uow.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(email=email, email_verified=True)
        )


async def delete_user(uow: UnitOfWork, *, user_id: UUID) -> None:
    """Delete the account and everything it owns: the rows of the files on
    its posts and of those it uploaded (the stored files are deleted by a
    job once this commits), then the user, whose posts, comments,
    notifications and tokens the database removes with it. The account and
    then its posts are locked first.
    """
    await uow.session.execute(
        select(User.id).where(User.id == user_id).with_for_update()
    )
    await posts_service.lock_posts(uow, creator_id=user_id)
    keys = await attachments_service.delete_attachments_of_user(uow, user_id)
    await uow.session.execute(delete(User).where(User.id == user_id))
    # Their posts go, and their comments, favorites and follows from others'
    # counts.
    profile_changed(uow, user_id)
    authors_changed(uow)
    attachments_service.owe_file_deletion(uow, keys)
    events.end_user_streams(uow, user_id, reason="deleted")
    logger.info("user_deleted", user_id=str(user_id))


async def purge_expired_tokens(session: AsyncSession) -> int:
    """Delete refresh and email tokens past their expiry, and spent email
    tokens; returns how many.

    Revoked refresh tokens are kept until they expire: presenting one is how
    reuse of a stolen token is detected.
    """
    now = utcnow()
    removed = 0
    for model, gone in (
        (RefreshToken, RefreshToken.expires_at < now),
        (EmailToken, or_(EmailToken.expires_at < now, EmailToken.used_at.is_not(None))),
    ):
        result = await session.execute(delete(model).where(gone).returning(model.id))
        removed += len(result.all())
    return removed
