"""The auth module's jobs: the emails it owes."""

from typing import Any
from uuid import UUID

from src.auth import email_tokens
from src.jobs.registry import JobContext, job
from src.mail.client import send_email


@job(email_tokens.SEND_VERIFICATION_EMAIL)
async def send_verification_email(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    async with context.units_of_work() as session:
        message = await email_tokens.verification_email(
            session, user_id=UUID(payload["user_id"]), settings=context.settings
        )
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)


@job(email_tokens.SEND_PASSWORD_RESET)
async def send_password_reset(
    context: JobContext, payload: dict[str, Any], job_id: UUID
) -> None:
    async with context.units_of_work() as session:
        message = await email_tokens.password_reset_email(
            session, email=payload["email"], settings=context.settings
        )
    if message is not None:
        await send_email(message, context.settings.email, key=job_id)
