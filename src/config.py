"""The application's settings: the global ones here, each package's in its
own `config.py`, read once into `Settings` and passed down from `create_app`.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from src.auth.config import AuthConfig
from src.aws.config import StorageConfig
from src.conduit.config import ConduitConfig
from src.constants import ENV_FILE, Environment
from src.jobs.config import JobsConfig
from src.mail.config import EmailBackend, EmailConfig
from src.notifications.config import NotificationsConfig

LOCAL_CORS_ORIGINS = [
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost:8000",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:5173",
    "http://127.0.0.1:8000",
]


LOCAL_BASE_URL = "http://localhost:8000"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    ENVIRONMENT: Environment = Environment.LOCAL

    DATABASE_URL: str = "sqlite+aiosqlite:///./app.db"
    DATABASE_POOL_SIZE: int = Field(default=10, ge=1)
    DATABASE_MAX_OVERFLOW: int = Field(default=10, ge=0)
    # Seconds to wait for a pooled connection or a new one before giving up:
    # a dead database must fail requests fast (503), not hang them.
    DATABASE_POOL_TIMEOUT: float = Field(default=5.0, gt=0)
    DATABASE_CONNECT_TIMEOUT: float = Field(default=5.0, gt=0)
    # Seconds one statement may take (PostgreSQL): a database that stops
    # answering mid-request gives a 503 instead of holding the request forever.
    DATABASE_COMMAND_TIMEOUT: float = Field(default=30.0, gt=0)
    # A ping before each checkout costs a round trip on every request. Without
    # it, the first request to meet a dropped connection gets a 503 and the
    # pool discards every connection opened before the drop.
    DATABASE_POOL_PRE_PING: bool = False

    REDIS_URL: str | None = None

    CORS_ORIGINS: list[str] = Field(default_factory=lambda: list(LOCAL_CORS_ORIGINS))

    RATE_LIMIT_ENABLED: bool = True
    RATE_LIMIT_LOGIN: str = "10/minute"
    RATE_LIMIT_REGISTER: str = "5/minute"
    RATE_LIMIT_PASSWORD_RESET: str = "5/hour"
    RATE_LIMIT_VERIFY_EMAIL: str = "5/hour"
    # Per client address and per user: a stolen access token must not buy
    # unlimited password guesses (each one an Argon2 verification).
    RATE_LIMIT_PASSWORD_CHANGE: str = "5/15minutes"
    # Namespace of the counters in Redis, so several deployments can share one.
    RATE_LIMIT_KEY_PREFIX: str = "publishing-api"

    MAX_REQUEST_BYTES: int = Field(default=1024 * 1024, ge=1)
    MAX_UPLOAD_BYTES: int = Field(default=10 * 1024 * 1024, ge=1)

    # Where users reach the API: the links in emails start with it. In
    # `local`, `serve` sets it from its host and port unless it is set.
    PUBLIC_BASE_URL: str = LOCAL_BASE_URL
    # Outside `local`, start-up refuses a PUBLIC_BASE_URL on this machine
    # (emails would link to nowhere) unless this says it is meant.
    ALLOW_LOCAL_BASE_URL: bool = False

    # `serve` workers freeze start-up objects out of the garbage collector and
    # collect young objects less often: about a tenth more requests/s on a
    # cached read (docs/decisions/gc-tuning.md).
    SERVE_GC_TUNING: bool = True
    # The edge, for a server exposed directly (src/cli/protocol.py): request
    # line and headers past this many bytes are refused with 431; a client
    # must finish sending a request's headers within SERVE_HEADER_TIMEOUT
    # seconds; an idle keep-alive connection is closed after
    # SERVE_KEEP_ALIVE_TIMEOUT; a worker holds at most SERVE_MAX_CONNECTIONS
    # (None: its open-file limit less SERVE_RESERVED_FILES).
    MAX_HEADER_BYTES: int = Field(default=16 * 1024, ge=1024)
    SERVE_HEADER_TIMEOUT: float = Field(default=5.0, gt=0)
    SERVE_KEEP_ALIVE_TIMEOUT: int = Field(default=5, ge=1)
    SERVE_MAX_CONNECTIONS: int | None = Field(default=None, ge=1)
    # Files a worker keeps for itself: database connections, uploads, logs.
    SERVE_RESERVED_FILES: int = Field(default=128, ge=16)

    # GET /metrics (Prometheus); when METRICS_TOKEN is set, it wants
    # `Authorization: Bearer <METRICS_TOKEN>`.
    METRICS_ENABLED: bool = True
    METRICS_TOKEN: str | None = None
    # Outside `local`, start-up refuses /metrics without METRICS_TOKEN
    # unless this says the network in front of it keeps it private.
    ALLOW_OPEN_METRICS: bool = False

    # Public reads from memory while unchanged (src/web/read_cache.py).
    READ_CACHE_ENABLED: bool = True
    READ_CACHE_MAX_BYTES: int = Field(default=16 * 1024 * 1024, ge=0)
    READ_CACHE_TTL: float = Field(default=300.0, gt=0)

    # The moderators' web interface at /admin (src/admin/site.py). Unset: on,
    # except in production, where an operator turns it on knowingly.
    ADMIN_UI_ENABLED: bool | None = None

    LOG_LEVEL: str = "INFO"
    # None: JSON when stderr is not a terminal, human-readable on a terminal.
    LOG_JSON: bool | None = None

    @property
    def admin_ui_enabled(self) -> bool:
        if self.ADMIN_UI_ENABLED is None:
            return self.ENVIRONMENT is not Environment.PRODUCTION
        return self.ADMIN_UI_ENABLED

    @field_validator("DATABASE_URL")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        # Operators often paste sync URLs (postgres://, postgresql://); map them
        # to the async drivers instead of failing at the first query.
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url.removeprefix(prefix)
        if url.startswith("sqlite://"):
            return "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
        if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
            raise ValueError(
                "must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL"
            )
        try:
            # The URL's parts, the port among them, are read here and not
            # at the first connection.
            port = make_url(url).port
        except (ArgumentError, ValueError):
            port = -1
        if port is not None and not 0 < port <= MAX_PORT:
            raise ValueError("not a valid URL (a port is a number up to 65535)")
        return url

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, url: str | None) -> str | None:
        # Read here, so that a typo stops every command in one line instead
        # of a traceback at the first connection (after migrating).
        if url is None or url == "":
            return None
        if not url.startswith(REDIS_SCHEMES):
            raise ValueError(
                "must start with " + ", ".join(REDIS_SCHEMES) + " (redis://host:6379/0)"
            )
        try:
            parts = urlsplit(url)
            # The port is parsed (and range-checked) when read.
            valid = bool(parts.hostname or parts.path) and parts.port != 0
        except ValueError:
            valid = False
        if not valid:
            raise ValueError("not a valid Redis URL (redis://host:6379/0)")
        return url

    @field_validator("PUBLIC_BASE_URL")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(
                "must be an http:// or https:// URL (https://api.example.com)"
            )
        return url.rstrip("/")

    @field_validator("CORS_ORIGINS")
    @classmethod
    def _no_wildcard(cls, origins: list[str]) -> list[str]:
        # Credentials (the refresh cookie) are allowed, so "*" would let any
        # site act as the user.
        if "*" in origins:
            raise ValueError("CORS_ORIGINS must list explicit origins, not '*'")
        return [origin.rstrip("/") for origin in origins]

    @property
    def is_sqlite(self) -> bool:
        return self.DATABASE_URL.startswith("sqlite")

    @property
    def redis_address(self) -> str | None:
        """Where Redis is, for logs: the URL without its credentials."""
        if not self.REDIS_URL:
            return None
        parts = urlsplit(self.REDIS_URL)
        where = parts.netloc.rpartition("@")[2] or parts.path
        return f"{parts.scheme}://{where}{parts.path if parts.netloc else ''}"

    @property
    def base_url_is_local(self) -> bool:
        return urlsplit(self.PUBLIC_BASE_URL).hostname in LOCAL_HOSTS


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of the application."""

    app: Config
    auth: AuthConfig
    storage: StorageConfig
    email: EmailConfig
    jobs: JobsConfig
    conduit: ConduitConfig
    notifications: NotificationsConfig = field(default_factory=NotificationsConfig)


MAX_PORT = 65535


class ConfigurationError(Exception):
    """A setting is missing or invalid; the message names it and never
    repeats its value (it may be a secret)."""


def _describe(config_class: type[BaseSettings], error: ValidationError) -> str:
    prefix = config_class.model_config.get("env_prefix") or ""
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        message = item["msg"].removeprefix("Value error, ")
        name = f"{prefix}{item['loc'][0]}".upper() if item["loc"] else ""
        problems.append(f"{name}: {message}" if name else message)
    return "; ".join(problems)


def _load[C: BaseSettings](config_class: type[C]) -> C:
    prefix = config_class.model_config.get("env_prefix") or ""
    try:
        return config_class()
    except ValidationError as exc:
        raise ConfigurationError(_describe(config_class, exc)) from None
    except SettingsError as exc:
        # A list or a mapping that is not JSON (CORS_ORIGINS=https://a.example).
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"{prefix}{field.group(1)}".upper() if field else "a setting"
        raise ConfigurationError(
            f'{name}: not valid JSON (write a list as ["https://app.example.com"])'
        ) from None


def unsafe_outside_local(settings: Settings) -> list[str]:
    """What a deployed environment must not run with, each naming the
    variable to set and the one that accepts it anyway."""
    app, email = settings.app, settings.email
    if not app.ENVIRONMENT.is_deployed:
        return []
    environment = f"ENVIRONMENT={app.ENVIRONMENT.value}"
    problems = []
    if email.EMAIL_BACKEND is EmailBackend.CONSOLE and not email.ALLOW_CONSOLE_EMAIL:
        problems.append(
            "EMAIL_BACKEND: the console backend writes sign-up and password "
            f"reset links into the log; with {environment} set "
            "EMAIL_BACKEND=smtp (or ALLOW_CONSOLE_EMAIL=true to accept it)"
        )
    if app.base_url_is_local and not app.ALLOW_LOCAL_BASE_URL:
        problems.append(
            "PUBLIC_BASE_URL: emails would link to this machine; with "
            f"{environment} set it to the address users reach (or "
            "ALLOW_LOCAL_BASE_URL=true to accept it)"
        )
    if app.METRICS_ENABLED and not app.METRICS_TOKEN and not app.ALLOW_OPEN_METRICS:
        problems.append(
            f"METRICS_TOKEN: /metrics would be open to anyone; with {environment} "
            "set METRICS_TOKEN, or METRICS_ENABLED=false (or "
            "ALLOW_OPEN_METRICS=true when the network keeps it private)"
        )
    return problems


def load_settings() -> Settings:
    """Read every settings class from the environment and `.env`, and refuse
    what is unsafe outside `local`.

    `ConfigurationError` says which setting is wrong, without its value.
    """
    settings = Settings(
        app=_load(Config),
        auth=_load(AuthConfig),
        storage=_load(StorageConfig),
        email=_load(EmailConfig),
        jobs=_load(JobsConfig),
        conduit=_load(ConduitConfig),
        notifications=_load(NotificationsConfig),
    )
    if problems := unsafe_outside_local(settings):
        raise ConfigurationError("; ".join(problems))
    return settings
