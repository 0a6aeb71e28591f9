"""Outside `local`, start-up refuses what is unsafe there unless it is
explicitly accepted, in one line naming each variable; every command
checks its settings before it touches anything. Each case in a real
subprocess, as an operator meets it."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.utils import running_server

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]

SECRET = "s" * 48
# Production with everything it needs, so that one case can take one away.
SAFE_PRODUCTION = {
    "ENVIRONMENT": "production",
    "AUTH_JWT_SECRET": SECRET,
    "EMAIL_BACKEND": "smtp",
    "SMTP_HOST": "mail.example.com",
    "PUBLIC_BASE_URL": "https://api.example.com",
    "METRICS_TOKEN": "t" * 32,
}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("REDIS_", "EMAIL_", "SMTP_", "AUTH_", "METRICS_"))
        and name not in {"PUBLIC_BASE_URL", "ENVIRONMENT"}
    }
    return subprocess.run(  # noqa: S603 - this project's own command
        [sys.executable, "-m", "src.cli", *args],
        env=inherited | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _sqlite(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}"}


def test_production_with_only_a_secret_is_refused_naming_each_setting(
    tmp_path: Path,
) -> None:
    env = _sqlite(tmp_path) | {"ENVIRONMENT": "production", "AUTH_JWT_SECRET": SECRET}

    result = _run("serve", env=env)

    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Configuration error: EMAIL_BACKEND: ")
    assert "ALLOW_CONSOLE_EMAIL=true" in line
    assert "PUBLIC_BASE_URL: " in line
    assert "ALLOW_LOCAL_BASE_URL=true" in line
    assert "METRICS_TOKEN: " in line
    assert "ALLOW_OPEN_METRICS=true" in line
    # Refused before migrating: the database was not created.
    assert not (tmp_path / "app.db").exists()


@pytest.mark.parametrize(
    ("unsafe", "named"),
    [
        ({"EMAIL_BACKEND": "console"}, "EMAIL_BACKEND"),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:8000"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "http://localhost"}, "PUBLIC_BASE_URL"),
        ({"METRICS_TOKEN": ""}, "METRICS_TOKEN"),
    ],
)
def test_each_unsafe_setting_is_refused_alone(
    tmp_path: Path, unsafe: dict[str, str], named: str
) -> None:
    env = _sqlite(tmp_path) | SAFE_PRODUCTION | unsafe

    result = _run("migrate", env=env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith(f"Configuration error: {named}: ")


def test_each_unsafe_setting_is_accepted_when_explicitly_allowed(
    tmp_path: Path,
) -> None:
    env = _sqlite(tmp_path) | {
        "ENVIRONMENT": "staging",
        "AUTH_JWT_SECRET": SECRET,
        "ALLOW_CONSOLE_EMAIL": "true",
        "ALLOW_LOCAL_BASE_URL": "true",
        "ALLOW_OPEN_METRICS": "true",
    }

    result = _run("migrate", env=env)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "app.db").exists()


def test_production_on_sqlite_warns_once_at_start(tmp_path: Path) -> None:
    database = _sqlite(tmp_path)["DATABASE_URL"]
    assert _run("migrate", env=_sqlite(tmp_path)).returncode == 0
    log = tmp_path / "serve.log"

    with running_server(database, env=SAFE_PRODUCTION, log=log) as (_, url):
        assert httpx.get(f"{url}/health").status_code == 200

    warnings = [line for line in log.read_text().splitlines() if "SQLite" in line]
    assert warnings == [
        "Warning: ENVIRONMENT=production on SQLite (DATABASE_URL): one machine "
        "and one writer at a time; PostgreSQL serves more."
    ]


@pytest.mark.parametrize("command", ["serve", "worker", "scheduler", "migrate"])
def test_a_malformed_redis_url_is_one_line_before_anything_runs(
    tmp_path: Path, command: str
) -> None:
    env = _sqlite(tmp_path) | {"REDIS_URL": "redis//127.0.0.1:6379/7"}

    result = _run(command, env=env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: REDIS_URL: must start with redis://, rediss://, "
        "unix:// (redis://host:6379/0)"
    ]
    assert not (tmp_path / "app.db").exists()


def test_a_redis_url_with_a_bad_port_is_one_line(tmp_path: Path) -> None:
    result = _run("worker", env=_sqlite(tmp_path) | {"REDIS_URL": "redis://h:99999/0"})

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: REDIS_URL: not a valid Redis URL (redis://host:6379/0)"
    )


def test_seed_outside_local_needs_the_environment_confirmed(tmp_path: Path) -> None:
    env = _sqlite(tmp_path) | SAFE_PRODUCTION
    assert _run("migrate", env=env).returncode == 0
    args = ["seed", "--users", "2", "--posts", "1", "--comments", "0"]

    refused = _run(*args, env=env)
    wrong = _run(*args, "--confirm-environment", "staging", env=env)
    confirmed = _run(*args, "--confirm-environment", "production", env=env)

    assert refused.returncode == 2
    assert "--confirm-environment production" in refused.stderr
    assert "Seeded" not in refused.stdout
    assert wrong.returncode == 2
    assert confirmed.returncode == 0, confirmed.stderr
    assert "Seeded 2 users" in confirmed.stdout
