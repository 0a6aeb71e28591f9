"""The auth module's jobs: the emails it owes, and the clean-up of tokens."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from src.auth import email_tokens, service
from src.jobs.registry import JobContext, JobRegistry
from src.mail.client import send_email


async def send_verification_email(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    async with context.units_of_work() as uow:
        message = await email_tokens.verification_email(
            uow, user_id=UUID(payload["user_id"]), settings=context.settings
        )
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)


async def send_password_reset(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    async with context.units_of_work() as uow:
        message = await email_tokens.password_reset_email(
            uow, email=payload["email"], settings=context.settings
        )
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)


async def send_email_change(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    async with context.units_of_work() as uow:
        message = await email_tokens.email_change_email(
            uow,
            user_id=UUID(payload["user_id"]),
            new_email=payload["new_email"],
            settings=context.settings,
        )
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)


async def send_email_change_notice(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    async with context.units_of_work() as uow:
        message = await email_tokens.email_change_notice(
            uow,
            user_id=UUID(payload["user_id"]),
            new_email=payload["new_email"],
            settings=context.settings,
        )
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)


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
