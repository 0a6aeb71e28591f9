"""The flows that go through a single-use emailed token: verifying an
email address, resetting a forgotten password, changing the address."""

from email.message import EmailMessage
from uuid import UUID

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth import emails, utils
from src.auth.config import AuthConfig
from src.auth.constants import EmailTokenPurpose
from src.auth.exceptions import EmailTaken, InvalidEmailToken, WrongPassword
from src.auth.models import EmailToken, User
from src.auth.service import set_email, set_password
from src.config import Settings
from src.database.base import utcnow
from src.database.unit_of_work import UnitOfWork
from src.jobs import service as jobs

# Job names (src/auth/jobs.py).
SEND_VERIFICATION_EMAIL = "send_verification_email"
SEND_PASSWORD_RESET = "send_password_reset"
SEND_EMAIL_CHANGE = "send_email_change"
SEND_EMAIL_CHANGE_NOTICE = "send_email_change_notice"

logger = structlog.get_logger(__name__)


async def _create_email_token(
    session: AsyncSession,
    *,
    user_id: UUID,
    purpose: EmailTokenPurpose,
    config: AuthConfig,
    new_email: str | None = None,
) -> str:
    lifetime = (
        config.PASSWORD_RESET_TOKEN_EXP
        if purpose is EmailTokenPurpose.PASSWORD_RESET
        else config.VERIFY_EMAIL_TOKEN_EXP
    )
    token = utils.new_opaque_token()
    session.add(
        EmailToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=utils.hash_opaque_token(token),
            expires_at=utcnow() + lifetime,
            new_email=new_email,
        )
    )
    await session.flush()
    return token


async def _spend_email_token(
    session: AsyncSession, *, token: str, purpose: EmailTokenPurpose
) -> UUID:
    """Mark a live token used and return its user's id; 400 if there is none."""
    user_id, _ = await _spend(session, token=token, purpose=purpose)
    return user_id


async def _spend(
    session: AsyncSession, *, token: str, purpose: EmailTokenPurpose
) -> tuple[UUID, str | None]:
    # One conditional UPDATE: a token can be spent once, even by racing
    # requests.
    now = utcnow()
    spent = (
        await session.execute(
            update(EmailToken)
            .where(
                EmailToken.token_hash == utils.hash_opaque_token(token),
                EmailToken.purpose == purpose,
                EmailToken.used_at.is_(None),
                EmailToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(EmailToken.user_id, EmailToken.new_email)
        )
    ).one_or_none()
    if spent is None:
        raise InvalidEmailToken
    return spent.user_id, spent.new_email


async def _void_tokens(
    session: AsyncSession, user_id: UUID, *purposes: EmailTokenPurpose
) -> None:
    """Every outstanding token of these purposes dies."""
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user_id,
            EmailToken.purpose.in_(purposes),
            EmailToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


def owe_verification_email(uow: UnitOfWork, *, user: User) -> bool:
    """Record, in the unit of work, that the user is owed a verification
    email; False (nothing owed) if already verified.
    """
    if user.email_verified:
        return False
    jobs.enqueue(uow, SEND_VERIFICATION_EMAIL, {"user_id": str(user.id)})
    return True


async def verification_email(
    uow: UnitOfWork, *, user_id: UUID, settings: Settings
) -> EmailMessage | None:
    """A verification email with a new token, or None if the user is gone
    or verified by now."""
    user = await uow.session.get(User, user_id)
    if user is None or user.email_verified:
        return None
    token = await _create_email_token(
        uow.session,
        user_id=user.id,
        purpose=EmailTokenPurpose.VERIFY_EMAIL,
        config=settings.auth,
    )
    return emails.verification_email(user, token, settings)


async def confirm_email(uow: UnitOfWork, *, token: str) -> None:
    """Spend a verification token and mark its user's email verified."""
    user_id = await _spend_email_token(
        uow.session, token=token, purpose=EmailTokenPurpose.VERIFY_EMAIL
    )
    await uow.session.execute(
        update(User).where(User.id == user_id).values(email_verified=True)
    )
    logger.info("email_verified", user_id=str(user_id))


def owe_password_reset(uow: UnitOfWork, *, email: str) -> None:
    """Record a reset request: the lookup, the token and the email are made
    by a job, so the request does the same work whether the address is
    registered or not, and answers in the same time.
    """
    jobs.enqueue(uow, SEND_PASSWORD_RESET, {"email": email})


async def password_reset_email(
    uow: UnitOfWork, *, email: str, settings: Settings
) -> EmailMessage | None:
    """A reset email with a new token if `email` belongs to a user; None
    (silently) if not."""
    user = await uow.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        logger.info("password_reset_unknown_email")
        return None
    token = await _create_email_token(
        uow.session,
        user_id=user.id,
        purpose=EmailTokenPurpose.PASSWORD_RESET,
        config=settings.auth,
    )
    logger.info("password_reset_requested", user_id=str(user.id))
    return emails.password_reset_email(user, token, settings)


async def reset_password(
    uow: UnitOfWork, *, token: str, password: str, config: AuthConfig
) -> None:
    """Spend a reset token, set the password, end every session of the user.

    The password is hashed first, before the unit of work's first statement.
    """
    hashed_password = await utils.hash_password(password, config)
    user_id = await _spend_email_token(
        uow.session, token=token, purpose=EmailTokenPurpose.PASSWORD_RESET
    )
    # Any other outstanding reset link dies with this one.
    await _void_tokens(uow.session, user_id, EmailTokenPurpose.PASSWORD_RESET)
    await set_password(uow, user_id=user_id, hashed_password=hashed_password)
    logger.info("password_reset", user_id=str(user_id))


async def request_email_change(
    uow: UnitOfWork, *, user: User, new_email: str, password: str, config: AuthConfig
) -> None:
    """Check the password and that no account has the new address (409),
    then owe a confirmation link to the new address and a notice to the
    current one. The address changes only when the link is used."""
    valid, _ = await utils.verify_password(password, user.hashed_password, config)
    if not valid:
        raise WrongPassword
    new_email = new_email.lower()
    if await uow.session.scalar(select(User.id).where(User.email == new_email)):
        raise EmailTaken
    payload = {"user_id": str(user.id), "new_email": new_email}
    jobs.enqueue(uow, SEND_EMAIL_CHANGE, payload)
    jobs.enqueue(uow, SEND_EMAIL_CHANGE_NOTICE, payload)
    logger.info("email_change_requested", user_id=str(user.id))


async def email_change_email(
    uow: UnitOfWork, *, user_id: UUID, new_email: str, settings: Settings
) -> EmailMessage | None:
    """The confirmation link to the new address, with a new token; None if
    the user is gone or has that address by now."""
    user = await uow.session.get(User, user_id)
    if user is None or user.email == new_email:
        return None
    token = await _create_email_token(
        uow.session,
        user_id=user.id,
        purpose=EmailTokenPurpose.CHANGE_EMAIL,
        config=settings.auth,
        new_email=new_email,
    )
    return emails.email_change_email(user, new_email, token, settings)


async def email_change_notice(
    uow: UnitOfWork, *, user_id: UUID, new_email: str, settings: Settings
) -> EmailMessage | None:
    """The notice to the current address; None if the user is gone."""
    user = await uow.session.get(User, user_id)
    if user is None or user.email == new_email:
        return None
    return emails.email_change_notice(user, new_email, settings)


async def confirm_email_change(uow: UnitOfWork, *, token: str) -> None:
    """Spend an email change token: the account takes the new address,
    verified by the link (409 if another account took it meanwhile), and
    every link sent to the former address dies."""
    user_id, new_email = await _spend(
        uow.session, token=token, purpose=EmailTokenPurpose.CHANGE_EMAIL
    )
    if new_email is None:  # pragma: no cover - every change token carries one
        raise InvalidEmailToken
    await set_email(uow, user_id=user_id, email=new_email)
    await _void_tokens(
        uow.session,
        user_id,
        EmailTokenPurpose.VERIFY_EMAIL,
        EmailTokenPurpose.PASSWORD_RESET,
        EmailTokenPurpose.CHANGE_EMAIL,
    )
    logger.info("email_changed", user_id=str(user_id))
