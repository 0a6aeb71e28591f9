"""The email client: a `console` backend that logs, an `smtp` one that sends."""

import asyncio
from email.message import EmailMessage

import aiosmtplib
import structlog

from src.mail.config import EmailBackend, email_settings

logger = structlog.get_logger(__name__)

SMTPS_PORT = 465


def build_message(*, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = email_settings.EMAIL_FROM
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


async def _send_smtp(message: EmailMessage) -> None:
    if not email_settings.SMTP_HOST:
        raise RuntimeError("EMAIL_BACKEND=smtp needs SMTP_HOST")
    implicit_tls = email_settings.SMTP_PORT == SMTPS_PORT
    await aiosmtplib.send(
        message,
        hostname=email_settings.SMTP_HOST,
        port=email_settings.SMTP_PORT,
        username=email_settings.SMTP_USER,
        password=email_settings.SMTP_PASSWORD,
        use_tls=implicit_tls,
        start_tls=email_settings.SMTP_TLS and not implicit_tls,
        timeout=email_settings.SMTP_TIMEOUT,
    )


async def send_email(message: EmailMessage) -> bool:
    """Deliver `message`, retrying failures; never raises. True if delivered.

    Meant to run after the response (a background task): it logs the outcome
    instead of reporting it to anyone.
    """
    log = logger.bind(to=message["To"], subject=message["Subject"])
    if email_settings.EMAIL_BACKEND is EmailBackend.CONSOLE:
        log.info("email_sent", backend="console", body=message.get_content())
        return True
    for attempt in range(email_settings.EMAIL_SEND_ATTEMPTS):
        try:
            await _send_smtp(message)
        except Exception as exc:
            log.warning("email_send_failed", attempt=attempt + 1, error=repr(exc))
            if attempt + 1 < email_settings.EMAIL_SEND_ATTEMPTS:
                await asyncio.sleep(email_settings.EMAIL_RETRY_DELAY * 2**attempt)
        else:
            log.info("email_sent", backend="smtp", attempt=attempt + 1)
            return True
    log.error("email_undelivered", attempts=email_settings.EMAIL_SEND_ATTEMPTS)
    return False
