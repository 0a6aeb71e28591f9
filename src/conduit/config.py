from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from src.constants import ENV_FILE


class ConduitConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CONDUIT_", env_file=ENV_FILE, extra="ignore"
    )

    # False removes the /api routes.
    ENABLED: bool = True
    TOKEN_EXP: timedelta = Field(
        default=timedelta(days=30), description="How long a Conduit token works"
    )
    # Origins whose pages may call /api: its tokens travel in a header, never
    # in a cookie, so any origin is safe ("*" unless listed).
    CORS_ORIGINS: list[str] = Field(default_factory=lambda: ["*"])
