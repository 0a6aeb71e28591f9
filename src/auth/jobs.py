"""The auth module's jobs: the emails it owes, and the clean-up of tokens."""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

from src.auth import email_tokens, service
from src.database.unit_of_work import UnitOfWork
from src.jobs.registry import JobContext, JobRegistry
from src.mail.client import send_email

type MakeEmail = Callable[[UnitOfWork], Awaitable[EmailMessage | None]]


async def _send(context: JobContext, job_id: UUID, make: MakeEmail) -> None:
    # The email (and its token) in a transaction of its own, committed
    # before the mail server is asked: a retried job writes a new token.
    async with context.units_of_work() as uow:
        message = await make(uow)
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)


async def send_verification_email(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    user_id = UUID(payload["user_id"])
    await _send(
        context,
        job_id,
        lambda uow: email_tokens.verification_email(
            uow, user_id=user_id, settings=context.settings
        ),
    )


async def send_password_reset(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    await _send(
        context,
        job_id,
        lambda uow: email_tokens.password_reset_email(
            uow, email=payload["email"], settings=context.settings
        ),
    )


async def send_email_change(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    user_id, new_email = UUID(payload["user_id"]), payload["new_email"]
    await _send(
        context,
        job_id,
        lambda uow: email_tokens.email_change_email(
            uow, user_id=user_id, new_email=new_email, settings=context.settings
        ),
    )


async def send_email_change_notice(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    user_id, new_email = UUID(payload["user_id"]), payload["new_email"]
    await _send(
        context,
        job_id,
        lambda uow: email_tokens.email_change_notice(
            uow, user_id=user_id, new_email=new_email, settings=context.settings
        ),
    )


async def purge_expired_tokens(context: JobContext, _grace: timedelta) -> int:
    async with context.units_of_work() as uow:
        return await service.purge_expired_tokens(uow.session)


def register(registry: JobRegistry) -> None:
    """The auth module's jobs and clean-up step."""
    registry.job(email_tokens.SEND_VERIFICATION_EMAIL, send_verification_email)
    registry.job(email_tokens.SEND_PASSWORD_RESET, send_password_reset)
    registry.job(email_tokens.SEND_EMAIL_CHANGE, send_email_change)
    registry.job(email_tokens.SEND_EMAIL_CHANGE_NOTICE, send_email_change_notice)
    registry.cleanup("tokens", purge_expired_tokens)
