"""The texts of the emails the auth module sends."""

from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

from src.auth.models import User
from src.config import Settings
from src.mail.client import build_message


def _hours(lifetime: timedelta) -> str:
    hours = round(lifetime.total_seconds() / 3600)
    return "1 hour" if hours == 1 else f"{hours} hours"


def _link(base_url: str, page: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{page}?{urlencode({'token': token})}"


def verification_email(user: User, token: str, settings: Settings) -> EmailMessage:
    return build_message(
        sender=settings.email.EMAIL_FROM,
        to=user.email,
        subject="Confirm your email address",
        body=(
            f"Hello {user.first_name},\n\n"
            "Confirm your email address by opening this link within "
            f"{_hours(settings.auth.VERIFY_EMAIL_TOKEN_EXP)}:\n\n"
            f"{_link(settings.app.PUBLIC_BASE_URL, 'verify-email', token)}\n\n"
            "If you did not create an account, ignore this message.\n"
        ),
    )


def password_reset_email(user: User, token: str, settings: Settings) -> EmailMessage:
    return build_message(
        sender=settings.email.EMAIL_FROM,
        to=user.email,
        subject="Reset your password",
        body=(
            f"Hello {user.first_name},\n\n"
            "Someone asked to reset the password of your account. To choose a "
            "new one, open this link within "
            f"{_hours(settings.auth.PASSWORD_RESET_TOKEN_EXP)}:\n\n"
            f"{_link(settings.app.PUBLIC_BASE_URL, 'reset-password', token)}\n\n"
            "If it was not you, ignore this message: your password is unchanged.\n"
        ),
    )
