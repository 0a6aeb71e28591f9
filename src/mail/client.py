"""The email client: a `console` backend that logs, an `smtp` one that sends."""

import asyncio
from email.message import EmailMessage

import aiosmtplib
import structlog

from src.mail.config import EmailBackend, EmailConfig

logger = structlog.get_logger(__name__)

SMTPS_PORT = 465


def build_message(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


async def _send_smtp(message: EmailMessage, config: EmailConfig) -> None:
    if not config.SMTP_HOST:
        raise RuntimeError("EMAIL_BACKEND=smtp needs SMTP_HOST")
    implicit_tls = config.SMTP_PORT == SMTPS_PORT
    await aiosmtplib.send(
        message,
        hostname=config.SMTP_HOST,
        port=config.SMTP_PORT,
        username=config.SMTP_USER,
        password=config.SMTP_PASSWORD,
        use_tls=implicit_tls,
        start_tls=config.SMTP_TLS and not implicit_tls,
        timeout=config.SMTP_TIMEOUT,
    )


async def send_email(message: EmailMessage, config: EmailConfig) -> bool:
    """Deliver `message`, retrying failures; never raises. True if delivered.

    Meant to run after the response (a background task): it logs the outcome
    instead of reporting it to anyone.
    """
    log = logger.bind(to=message["To"], subject=message["Subject"])
    if config.EMAIL_BACKEND is EmailBackend.CONSOLE:
        log.info("email_sent", backend="console", body=message.get_content())
        return True
    for attempt in range(config.EMAIL_SEND_ATTEMPTS):
        try:
            await _send_smtp(message, config)
        except Exception as exc:
            log.warning("email_send_failed", attempt=attempt + 1, error=repr(exc))
            if attempt + 1 < config.EMAIL_SEND_ATTEMPTS:
                await asyncio.sleep(config.EMAIL_RETRY_DELAY * 2**attempt)
        else:
            log.info("email_sent", backend="smtp", attempt=attempt + 1)
            return True
    log.error("email_undelivered", attempts=config.EMAIL_SEND_ATTEMPTS)
    return False
