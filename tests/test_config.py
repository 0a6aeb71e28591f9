import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from src.auth.config import AuthConfig
from src.aws.config import StorageConfig
from src.conduit.config import ConduitConfig
from src.config import Config
from src.jobs.config import JobsConfig
from src.mail.config import EmailConfig
from src.notifications.config import NotificationsConfig

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
        ("sqlite+aiosqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
    ],
)
def test_database_url_is_mapped_to_an_async_driver(given: str, expected: str) -> None:
    assert expected == Config(DATABASE_URL=given).DATABASE_URL


def test_unsupported_database_url_is_refused() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Config(DATABASE_URL="mysql://u@h/db")


def test_wildcard_cors_origin_is_refused() -> None:
    with pytest.raises(ValidationError, match="explicit origins"):
        Config(CORS_ORIGINS=["*"])


def test_local_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    config = Config(_env_file=None)

    assert config.DATABASE_URL == "sqlite+aiosqlite:///./app.db"
    assert config.MAX_REQUEST_BYTES == 1024 * 1024
    assert config.MAX_UPLOAD_BYTES == 10 * 1024 * 1024


def _settings_names() -> set[str]:
    classes: list[type[BaseSettings]] = [
        Config,
        AuthConfig,
        StorageConfig,
        EmailConfig,
        JobsConfig,
        ConduitConfig,
        NotificationsConfig,
    ]
    return {
        field.validation_alias
        if isinstance(field.validation_alias, str)
        else f"{cls.model_config.get('env_prefix', '')}{name}"
        for cls in classes
        for name, field in cls.model_fields.items()
    }


def test_env_example_lists_exactly_the_settings() -> None:
    # .env.example is the one reference of the configuration: it must name
    # every setting, and nothing that is not one.
    listed = {
        match["name"]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if (match := re.match(r"#? ?(?P<name>[A-Z][A-Z0-9_]+)=", line))
    }

    assert listed == _settings_names()


def test_the_admin_interface_is_off_in_production_unless_asked_for() -> None:
    def enabled(**values: object) -> bool:
        return Config.model_validate(values).admin_ui_enabled

    assert enabled()
    assert enabled(ENVIRONMENT="staging")
    assert not enabled(ENVIRONMENT="production")
    assert enabled(ENVIRONMENT="production", ADMIN_UI_ENABLED=True)
    assert not enabled(ADMIN_UI_ENABLED=False)
