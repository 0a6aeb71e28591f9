"""The emails the auth module sends, each rendered from its templates
(`templates/emails/<name>.txt` and `.html`): a plain-text body with an HTML
alternative."""

from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

from src.auth.models import User
from src.config import Settings
from src.mail.client import build_message
from src.web.templates import templates


def _hours(lifetime: timedelta) -> str:
    hours = round(lifetime.total_seconds() / 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def _link(settings: Settings, page: str, token: str) -> str:
    return f"{settings.app.PUBLIC_BASE_URL}/{page}?{urlencode({'token': token})}"


def _email(
    settings: Settings, *, to: str, subject: str, template: str, **context: Any
) -> EmailMessage:
    env = templates("src.auth")
    context["subject"] = subject
    return build_message(
        sender=settings.email.EMAIL_FROM,
        to=to,
        subject=subject,
        body=env.get_template(f"emails/{template}.txt").render(context),
        html=env.get_template(f"emails/{template}.html").render(context),
    )


def verification_email(user: User, token: str, settings: Settings) -> EmailMessage:
    return _email(
        settings,
        to=user.email,
        subject="Confirm your email address",
        template="verify_email",
        first_name=user.first_name,
        lifetime=_hours(settings.auth.VERIFY_EMAIL_TOKEN_EXP),
        link=_link(settings, "verify-email", token),
    )


def password_reset_email(user: User, token: str, settings: Settings) -> EmailMessage:
    return _email(
        settings,
        to=user.email,
        subject="Reset your password",
        template="password_reset",
        first_name=user.first_name,
        lifetime=_hours(settings.auth.PASSWORD_RESET_TOKEN_EXP),
        link=_link(settings, "reset-password", token),
    )


def email_change_email(
    user: User, new_email: str, token: str, settings: Settings
) -> EmailMessage:
    return _email(
        settings,
        to=new_email,
        subject="Confirm your new email address",
        template="change_email",
        first_name=user.first_name,
        new_email=new_email,
        lifetime=_hours(settings.auth.VERIFY_EMAIL_TOKEN_EXP),
        link=_link(settings, "change-email", token),
    )


def email_change_notice(user: User, new_email: str, settings: Settings) -> EmailMessage:
    return _email(
        settings,
        to=user.email,
        subject="Your email address is being changed",
        template="change_email_notice",
        first_name=user.first_name,
        new_email=new_email,
    )
