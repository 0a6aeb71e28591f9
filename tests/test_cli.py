import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, literal, select, text, true
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from src.auth.models import RefreshToken, User
from src.aws.config import StorageBackend
from src.cli.commands import cli
from src.cli.seed import DEMO_PASSWORD
from src.comments.models import POST_COMMENTS, Comment
from src.config import Settings
from src.database.base import utcnow
from src.database.counts import GLOBAL_OWNER, ListCount
from src.favorites.models import POST_FAVORITES, USER_FAVORITES, Favorite
from src.follows.models import USER_FOLLOWERS, USER_FOLLOWING, Follow
from src.main import create_app
from src.moderation.models import AuditEntry
from src.posts.models import POSTS, USER_POSTS, Post
from src.tags.models import TAG_POSTS, PostTag
from tests.utils import app_client

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli_database(
    committed_database: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> str:
    """Commands read their settings from the environment, as an operator's do."""
    monkeypatch.setenv("DATABASE_URL", committed_database)
    for name in ("TIME_COST", "MEMORY_KIB", "PARALLELISM"):
        value = getattr(settings.auth, f"PASSWORD_HASH_{name}")
        monkeypatch.setenv(f"AUTH_PASSWORD_HASH_{name}", str(value))
    return committed_database


def _users(database_url: str) -> list[tuple[str, str]]:
    async def query() -> list[tuple[str, str]]:
        engine = create_async_engine(database_url)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(User.username, User.role))).all()
        await engine.dispose()
        return [(row[0], row[1].value) for row in rows]

    return asyncio.run(query())


def test_create_superuser_prompts_for_the_password_without_echo(
    cli_database: str,
) -> None:
    result = CliRunner().invoke(
        cli,
        ["create-superuser", "--email", "root@example.com", "--username", "root"],
        input="Sup3r-secret!\nSup3r-secret!\n",
    )

    assert result.exit_code == 0, result.output
    assert "Sup3r-secret!" not in result.output
    assert "Superuser root created" in result.output
    assert _users(cli_database) == [("root", "admin")]


def test_create_superuser_refuses_a_weak_password(cli_database: str) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "create-superuser",
            "--email",
            "root@example.com",
            "--username",
            "root",
            "--password",
            "weak",
        ],
    )

    assert result.exit_code == 2
    assert _users(cli_database) == []


def test_create_superuser_reports_a_taken_username(cli_database: str) -> None:
    args = ["create-superuser", "--username", "root", "--password", "Sup3r-secret!"]
    CliRunner().invoke(cli, [*args, "--email", "a@example.com"])

    result = CliRunner().invoke(cli, [*args, "--email", "b@example.com"])

    assert result.exit_code == 1
    assert "Username is already taken" in result.output


def _audit(database_url: str) -> list[tuple[uuid.UUID | None, str, str | None]]:
    async def query() -> list[tuple[uuid.UUID | None, str, str | None]]:
        engine = create_async_engine(database_url)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(AuditEntry.actor_id, AuditEntry.action, AuditEntry.reason)
                )
            ).all()
        await engine.dispose()
        return [(row[0], row[1].value, row[2]) for row in rows]

    return asyncio.run(query())


def test_set_role_changes_a_role_and_audits_it(cli_database: str) -> None:
    admin = ["create-superuser", "--password", "Sup3r-secret!"]
    CliRunner().invoke(cli, [*admin, "--username", "root", "--email", "r@example.com"])
    CliRunner().invoke(cli, [*admin, "--username", "mod", "--email", "m@example.com"])

    demoted = CliRunner().invoke(cli, ["set-role", "MOD", "moderator"])

    assert demoted.exit_code == 0, demoted.output
    assert "mod is now moderator" in demoted.output
    assert sorted(_users(cli_database)) == [("mod", "moderator"), ("root", "admin")]
    assert _audit(cli_database) == [(None, "role_changed", "admin -> moderator")]


def test_set_role_never_demotes_the_last_admin(cli_database: str) -> None:
    CliRunner().invoke(
        cli,
        [
            *("create-superuser", "--username", "root", "--email", "r@example.com"),
            *("--password", "Sup3r-secret!"),
        ],
    )

    refused = CliRunner().invoke(cli, ["set-role", "root", "member"])
    unknown = CliRunner().invoke(cli, ["set-role", "nobody", "admin"])
    invalid = CliRunner().invoke(cli, ["set-role", "root", "emperor"])

    assert refused.exit_code == 1
    assert "The last admin cannot be demoted" in refused.output
    assert unknown.exit_code == 1
    assert "No user named nobody" in unknown.output
    assert invalid.exit_code == 2
    assert _users(cli_database) == [("root", "admin")]
    assert _audit(cli_database) == []


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_production_start_up_refuses_a_missing_or_weak_secret(
    secret: str | None,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH_JWT")}
    env["ENVIRONMENT"] = "production"
    if secret:
        env["AUTH_JWT_SECRET"] = secret

    result = subprocess.run(
        [sys.executable, "-c", "import src.main"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "AUTH_JWT_SECRET must be set" in result.stderr


def _command(
    env_overrides: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH_JWT")}
    return subprocess.run(  # noqa: S603 - this project's own command
        [sys.executable, "-m", "src.cli", *args],
        cwd=ROOT,
        env=env | env_overrides,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_weak_secret_stops_commands_without_printing_it() -> None:
    secret = "weak-but-recognisable-value"

    result = _command(
        {"ENVIRONMENT": "production", "AUTH_JWT_SECRET": secret}, "migrate"
    )

    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "AUTH_JWT_SECRET must be set" in result.stderr
    assert secret not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("CORS_ORIGINS", "https://app.example.com", "CORS_ORIGINS: not valid JSON"),
        ("DATABASE_POOL_SIZE", "0", "DATABASE_POOL_SIZE: Input should be greater"),
    ],
)
def test_an_invalid_setting_is_one_line_naming_it(
    setting: str, value: str, says: str
) -> None:
    result = _command({setting: value}, "migrate")

    assert result.returncode == 2
    assert result.stderr.startswith("Configuration error: ")
    assert says in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_production_start_up_accepts_a_strong_secret() -> None:
    env = dict(
        os.environ,
        ENVIRONMENT="production",
        AUTH_JWT_SECRET="s" * 48,
        EMAIL_BACKEND="smtp",
        SMTP_HOST="mail.example.com",
        PUBLIC_BASE_URL="https://api.example.com",
        METRICS_TOKEN="t" * 32,
    )

    result = subprocess.run(
        [sys.executable, "-c", "import src.main"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


async def _seeded_view(settings: Settings) -> tuple[dict[str, Any], list[str], int]:
    """What a client sees after seeding: the first page, usernames, a login."""
    async with app_client(create_app(settings)) as client:
        page = (await client.get("/posts", params={"limit": 100})).json()
        usernames = sorted({post["creator"]["username"] for post in page["items"]})
        response = await client.post(
            "/auth/token", data={"username": usernames[0], "password": DEMO_PASSWORD}
        )
    return page, usernames, response.status_code


def test_seed_fills_the_database_with_consistent_demo_data(
    cli_database: str, settings: Settings
) -> None:
    args = ["seed", "--users", "7", "--posts", "40", "--comments", "90"]

    result = CliRunner().invoke(cli, [*args, "--random-seed", "1"])

    assert result.exit_code == 0, result.output
    assert "Seeded 7 users, 40 posts and 90 comments" in result.output
    page, usernames, login_status = asyncio.run(_seeded_view(settings))
    assert page["total"] == 40
    assert sum(post["comments_count"] for post in page["items"]) == 90
    created = [post["created_at"] for post in page["items"]]
    assert created == sorted(created, reverse=True)
    assert all(name.startswith("demo_") for name in usernames)
    assert login_status == 200


def test_seed_twice_adds_rather_than_collides(cli_database: str) -> None:
    args = ["seed", "--users", "3", "--posts", "2", "--comments", "0"]

    first = CliRunner().invoke(cli, args)
    second = CliRunner().invoke(cli, args)

    assert (first.exit_code, second.exit_code) == (0, 0), second.output
    assert len(_users(cli_database)) == 6


async def _counts_and_indexes(
    database_url: str,
) -> tuple[dict[tuple[str, uuid.UUID], int], dict[tuple[str, uuid.UUID], int], int]:
    """The kept list totals, the same totals counted afresh, and how many
    trigram indexes the posts have (PostgreSQL).
    """
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        kept = {
            (name, owner): int(total)
            for name, owner, total in await conn.execute(
                select(
                    ListCount.list_name, ListCount.owner_id, func.sum(ListCount.total)
                )
                .where(ListCount.list_name.in_([c.name for c in SEEDED_LISTS]))
                .group_by(ListCount.list_name, ListCount.owner_id)
            )
        }
        counted = {(POSTS.name, GLOBAL_OWNER): 0}
        published = Post.status == "published"
        for counted_list, owner, where in (
            (POSTS, None, published),
            (USER_POSTS, Post.creator_id, published),
            (POST_COMMENTS, Comment.post_id, true()),
            (TAG_POSTS, PostTag.tag_id, PostTag.published_at.is_not(None)),
            (POST_FAVORITES, Favorite.post_id, true()),
            (USER_FAVORITES, Favorite.user_id, true()),
            (USER_FOLLOWERS, Follow.followee_id, true()),
            (USER_FOLLOWING, Follow.follower_id, true()),
        ):
            grouped = select(
                owner if owner is not None else literal(GLOBAL_OWNER), func.count()
            ).where(where)
            if owner is None:
                grouped = grouped.select_from(Post)
            else:
                grouped = grouped.group_by(owner)
            for owner_id, total in await conn.execute(grouped):
                counted[counted_list.name, owner_id] = total
        indexes = 0
        if conn.dialect.name == "postgresql":
            indexes = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_indexes WHERE tablename = 'post' "
                    "AND indexdef LIKE '%gin_trgm_ops%'"
                )
            )
    await engine.dispose()
    return kept, counted, indexes


SEEDED_LISTS = (
    POSTS,
    USER_POSTS,
    POST_COMMENTS,
    TAG_POSTS,
    POST_FAVORITES,
    USER_FAVORITES,
    USER_FOLLOWERS,
    USER_FOLLOWING,
)


def test_seed_keeps_list_totals_and_search_indexes(cli_database: str) -> None:
    args = ["seed", "--users", "5", "--posts", "30", "--comments", "70"]

    for _ in range(2):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output

    kept, counted, indexes = asyncio.run(_counts_and_indexes(cli_database))
    assert kept == counted
    # Two seeds of 30 posts, a few of them drafts; every list has counts.
    assert 50 < counted[POSTS.name, GLOBAL_OWNER] <= 60
    assert {name for name, _ in kept} == {c.name for c in SEEDED_LISTS}
    is_postgresql = cli_database.startswith("postgresql")
    assert indexes == (2 if is_postgresql else 0)


async def _post_through_the_api(settings: Settings) -> tuple[int, int]:
    """The total of GET /posts before and after a post made through the API."""
    async with app_client(create_app(settings)) as client:
        first = (await client.get("/posts", params={"limit": 1})).json()
        author = first["items"][0]
        token = await client.post(
            "/auth/token",
            data={"username": author["creator"]["username"], "password": DEMO_PASSWORD},
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        created = await client.post(
            "/posts", json={"title": "After", "content": "seeding"}, headers=headers
        )
        assert created.status_code == 201
        return first["total"], (await client.get("/posts")).json()["total"]


def test_posts_are_counted_again_after_seeding(
    cli_database: str, settings: Settings
) -> None:
    result = CliRunner().invoke(cli, ["seed", "--users", "2", "--posts", "4"])
    assert result.exit_code == 0, result.output

    before, after = asyncio.run(_post_through_the_api(settings))
    # The seed's published posts, then one more (one in 50 is a draft).
    assert 0 < before <= 4
    assert after == before + 1


def test_seed_refuses_comments_without_posts(cli_database: str) -> None:
    result = CliRunner().invoke(cli, ["seed", "--posts", "0", "--comments", "5"])

    assert result.exit_code == 2
    assert "comments need posts" in result.output
    assert _users(cli_database) == []


async def _add_refresh_tokens(database_url: str, expiries: list[timedelta]) -> None:
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        user_id = (await conn.execute(select(User.id))).scalar_one()
        for index, expiry in enumerate(expiries):
            await conn.execute(
                insert(RefreshToken).values(
                    id=uuid.uuid4(),
                    user_id=user_id,
                    token_hash=f"{index:064d}",
                    expires_at=utcnow() + expiry,
                    created_at=utcnow(),
                )
            )
    await engine.dispose()


async def _refresh_token_count(database_url: str) -> int:
    engine = create_async_engine(database_url)
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count(RefreshToken.id)))
    await engine.dispose()
    return count or 0


def test_cleanup_removes_old_orphaned_files_and_expired_tokens(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", StorageBackend.LOCAL)
    monkeypatch.setenv("STORAGE_LOCAL_DIR", str(tmp_path))
    old, new = tmp_path / "attachments/p/old", tmp_path / "attachments/p/new"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"left behind")
    new.write_bytes(b"upload in flight")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    CliRunner().invoke(
        cli,
        ["create-superuser", "--email", "r@example.com", "--username", "root"],
        input="Sup3r-secret!\nSup3r-secret!\n",
    )
    asyncio.run(
        _add_refresh_tokens(cli_database, [timedelta(days=-1), timedelta(days=1)])
    )

    result = CliRunner().invoke(cli, ["cleanup"])

    assert result.exit_code == 0, result.output
    assert "Removed 1 orphaned files, 1 tokens, " in result.output
    assert not old.exists()
    assert new.exists()
    assert asyncio.run(_refresh_token_count(cli_database)) == 1


def test_a_worker_loads_what_only_some_requests_or_settings_use_when_used() -> None:
    # Memory: each costs a worker megabytes it need not pay while unused
    # (the admin interface, Redis and the job broker, S3, SMTP, email pages,
    # upload sniffing).
    optional = (
        "sqladmin",
        "taskiq",
        "aiohttp",
        "wtforms",
        "redis",
        "aiobotocore",
        "aiosmtplib",
        "jinja2",
        "puremagic",
    )
    code = f"import sys, src.main; print([m for m in {optional!r} if m in sys.modules])"

    result = subprocess.run(  # noqa: S603 - this project's own code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "ADMIN_UI_ENABLED": "true"},
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.splitlines()[-1] == "[]"
