from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from src.constants import ENV_FILE


class EmailBackend(StrEnum):
    CONSOLE = "console"
    SMTP = "smtp"


class EmailConfig(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    EMAIL_BACKEND: EmailBackend = EmailBackend.CONSOLE
    # Outside `local`, start-up refuses the console backend (it writes live
    # verification and reset links into the log) unless this says it is meant.
    ALLOW_CONSOLE_EMAIL: bool = False
    # `/verify-email` and `/reset-password`, the pages the emails link to;
    # off for deployments whose front end serves them at PUBLIC_BASE_URL.
    EMAIL_PAGES_ENABLED: bool = True
    EMAIL_FROM: str = "Publishing API <no-reply@localhost>"
    SMTP_HOST: str | None = None
    SMTP_PORT: int = 25
    SMTP_USER: str | None = None
    SMTP_PASSWORD: str | None = None
    # STARTTLS on a plain port; port 465 always uses implicit TLS.
    SMTP_TLS: bool = False
    SMTP_TIMEOUT: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _smtp_needs_a_host(self) -> Self:
        # Otherwise start-up succeeds and every email fails later.
        if self.EMAIL_BACKEND is EmailBackend.SMTP and not self.SMTP_HOST:
            raise ValueError("SMTP_HOST is required when EMAIL_BACKEND=smtp")
        return self
