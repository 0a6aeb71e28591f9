"""The email client: a `console` backend that logs, an `smtp` one that sends."""

from email.message import EmailMessage
from email.utils import parseaddr
from uuid import UUID

import structlog

from src.mail.config import EmailBackend, EmailConfig

logger = structlog.get_logger(__name__)

SMTPS_PORT = 465


def build_message(
    *, sender: str, to: str, subject: str, body: str, html: str | None = None
) -> EmailMessage:
    """A message with a plain-text body, and `html` as its alternative (mail
    readers show the HTML; the text is for those that cannot)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def plain_text(message: EmailMessage) -> str:
    """The message's plain-text body."""
    part = message.get_body(preferencelist=("plain",))
    return "" if part is None else str(part.get_content())


async def _send_smtp(message: EmailMessage, config: EmailConfig) -> None:
    if not config.SMTP_HOST:
        raise RuntimeError("EMAIL_BACKEND=smtp needs SMTP_HOST")
    # Imported here: only the `smtp` backend sends (docs/benchmarks.md, memory).
    import aiosmtplib  # noqa: PLC0415

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


async def send_email(
    message: EmailMessage, config: EmailConfig, *, key: UUID | None = None
) -> None:
    """Deliver `message` once; raises if the mail server does not take it
    (the job that sends it is retried).

    `key` (the job's id) becomes the Message-ID, the same on every attempt
    of the job. A retried email is not the same message, though: each
    attempt writes a new token, and whichever copy arrives, its link works.
    """
    if key is not None and "Message-ID" not in message:
        _, sender = parseaddr(config.EMAIL_FROM)
        domain = sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = f"<{key}@{domain}>"
    log = logger.bind(to=message["To"], subject=message["Subject"])
    if config.EMAIL_BACKEND is EmailBackend.CONSOLE:
        log.info("email_sent", backend="console", body=plain_text(message))
        return
    await _send_smtp(message, config)
    log.info("email_sent", backend="smtp")
