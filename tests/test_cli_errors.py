"""A command stopped by a configuration or connection problem says so in one
line on stderr that names the variable or the fix, with a non-zero status:
no traceback. Each case in a real subprocess, as an operator meets it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from src.constants import VERSION
from tests.smtp import free_port

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

MIGRATE = "run `python -m src.cli migrate` first"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = (
        {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DATABASE_", "REDIS_", "EMAIL_", "SMTP_", "AUTH_"))
        }
        | {"ENVIRONMENT": "local"}
        | env
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "src.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _closed_port_url() -> str:
    return f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/publishing"


@pytest.mark.parametrize(
    ("args", "env", "expected", "status"),
    [
        (
            ["migrate"],
            {"DATABASE_URL": "sqlite+aiosqlite:////nonexistent/directory/app.db"},
            "Cannot open the SQLite file named in DATABASE_URL",
            1,
        ),
        (
            ["serve"],
            {"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:99999/x"},
            "Configuration error: DATABASE_URL: not a valid URL",
            2,
        ),
        (
            ["migrate"],
            {"DATABASE_URL": "mysql://root@127.0.0.1/x"},
            "Configuration error: DATABASE_URL: must be a sqlite+aiosqlite://",
            2,
        ),
        (
            ["serve"],
            {"ENVIRONMENT": "production"},
            "Configuration error: AUTH_JWT_SECRET must be set",
            2,
        ),
        (
            ["migrate"],
            {"AUTH_JWT_SECRET": "short", "ENVIRONMENT": "production"},
            "Configuration error: AUTH_JWT_SECRET",
            2,
        ),
        (
            ["serve"],
            {"CORS_ORIGINS": "https://app.example.com"},
            "Configuration error: CORS_ORIGINS: not valid JSON",
            2,
        ),
        (
            ["serve"],
            {"EMAIL_BACKEND": "smtp"},
            "Configuration error: SMTP_HOST is required when EMAIL_BACKEND=smtp",
            2,
        ),
        (
            ["worker"],
            {},
            "worker needs REDIS_URL",
            2,
        ),
    ],
    ids=[
        "missing-sqlite-directory",
        "bad-port",
        "not-an-async-url",
        "production-without-secret",
        "weak-secret",
        "cors-not-json",
        "smtp-without-host",
        "worker-without-redis",
    ],
)
def test_a_setup_problem_is_one_line(
    args: list[str], env: dict[str, str], expected: str, status: int
) -> None:
    result = _run(*args, env=env)

    assert result.returncode == status, result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()], result.stderr
    assert expected in result.stderr
    assert "short" not in result.stderr


@pytest.mark.parametrize("command", ["migrate", "serve", "seed"])
def test_an_unreachable_database_is_one_line(command: str) -> None:
    result = _run(command, env={"DATABASE_URL": _closed_port_url()})

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Cannot connect to the database (DATABASE_URL): connection refused. "
        "Check the address, and that the server is running."
    ]


@pytest.mark.parametrize("command", ["seed", "create-superuser"])
def test_an_unmigrated_database_says_to_migrate(command: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    extra = (
        [
            "--email",
            "root@example.com",
            "--username",
            "root",
            "--password",
            "S3cret-pw!",
        ]
        if command == "create-superuser"
        else []
    )

    result = _run(command, *extra, env={"DATABASE_URL": url})

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"The database in DATABASE_URL has no tables yet: {MIGRATE}."
    ]
    assert "argon2" not in result.stdout + result.stderr


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_one_line() -> None:
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/no_such_database_here"

    result = _run("migrate", env={"DATABASE_URL": url})

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "The database named in DATABASE_URL does not exist: create it (createdb) "
        "or correct DATABASE_URL."
    )


def test_a_successful_command_prints_no_pool_noise(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"

    result = _run("migrate", env={"DATABASE_URL": url})

    assert result.returncode == 0, result.stderr
    assert "Pool" not in result.stderr
    assert "plugin" not in result.stderr


def test_the_console_script_tells_its_version() -> None:
    script = Path(sys.executable).parent / "publishing-api"

    result = subprocess.run(  # noqa: S603
        [str(script), "--version"], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"publishing-api {VERSION}"
