from datetime import timedelta
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from src.constants import ENV_FILE, Environment

# Used only in ENVIRONMENT=local; start-up refuses it anywhere else.
LOCAL_JWT_SECRET = "local-development-secret-not-for-deployed-use"
MIN_SECRET_LENGTH = 32


class AuthConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AUTH_", env_file=ENV_FILE, extra="ignore"
    )

    # The global ENVIRONMENT (no prefix): the secret's strength depends on it.
    ENVIRONMENT: Environment = Field(
        default=Environment.LOCAL, validation_alias="ENVIRONMENT"
    )

    JWT_ALG: str = "HS256"
    JWT_SECRET: str = LOCAL_JWT_SECRET
    JWT_EXP: int = Field(default=5, ge=1, description="Access token minutes")

    REFRESH_TOKEN_KEY: str = "refreshToken"
    REFRESH_TOKEN_EXP: timedelta = timedelta(days=30)
    SECURE_COOKIES: bool = True

    VERIFY_EMAIL_TOKEN_EXP: timedelta = timedelta(hours=24)
    PASSWORD_RESET_TOKEN_EXP: timedelta = timedelta(hours=1)

    # Argon2id cost; the defaults are OWASP's (m=19 MiB, t=2, p=1). Raising
    # them upgrades each stored hash at its next successful login.
    PASSWORD_HASH_TIME_COST: int = Field(default=2, ge=1)
    PASSWORD_HASH_MEMORY_KIB: int = Field(default=19 * 1024, ge=8)
    PASSWORD_HASH_PARALLELISM: int = Field(default=1, ge=1)
    # Hashes computed at once per worker (one CPU each, MEMORY_KIB of RAM
    # each). Run one worker per core rather than raising this.
    PASSWORD_HASH_CONCURRENCY: int = Field(default=1, ge=1)
    # Hashes computing or waiting per worker; past it, 503 with Retry-After
    # instead of a queue (and a latency) that grows without bound.
    PASSWORD_HASH_QUEUE: int = Field(default=32, ge=1)

    @model_validator(mode="after")
    def _strong_secret(self) -> Self:
        secret = self.JWT_SECRET
        weak = secret == LOCAL_JWT_SECRET or len(secret) < MIN_SECRET_LENGTH
        if self.ENVIRONMENT.is_deployed and weak:
            raise ValueError(
                "AUTH_JWT_SECRET must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters when "
                f"ENVIRONMENT={self.ENVIRONMENT.value}"
            )
        if self.JWT_ALG not in {"HS256", "HS384", "HS512"}:
            raise ValueError("AUTH_JWT_ALG must be one of HS256, HS384, HS512")
        return self
