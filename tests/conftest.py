"""Test fixtures: a migrated database per run, a rolled-back transaction per test.

The suite runs on SQLite by default. Set TEST_DATABASE_URL to a PostgreSQL URL
(postgresql+asyncpg://user@host/db) to run it there: a fresh database is
created next to the one named, migrated, and dropped at the end.
"""

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

# Settings are read at import time: configure the test environment first.
_TMP = Path(tempfile.mkdtemp(prefix="publishing-api-tests-"))
os.environ["ENVIRONMENT"] = "local"
os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", f"sqlite+aiosqlite:///{_TMP / 'test.db'}"
)
os.environ.setdefault("RATE_LIMIT_ENABLED", "false")
# Cheap Argon2 parameters: the suite hashes hundreds of passwords.
os.environ["AUTH_PASSWORD_HASH_TIME_COST"] = "1"
os.environ["AUTH_PASSWORD_HASH_MEMORY_KIB"] = "1024"
os.environ["AUTH_PASSWORD_HASH_PARALLELISM"] = "1"
os.environ["LOG_JSON"] = "true"
os.environ.pop("REDIS_URL", None)
os.environ["STORAGE_BACKEND"] = "local"
os.environ["STORAGE_LOCAL_DIR"] = str(_TMP / "storage")

import pytest  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from httpx import AsyncClient  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.ext.asyncio import (  # noqa: E402
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from src.aws.config import StorageBackend, storage_settings  # noqa: E402
from src.config import Config, settings  # noqa: E402
from src.database import migrations  # noqa: E402
from src.database.base import Base  # noqa: E402
from src.database.engine import create_engine  # noqa: E402
from src.database.session import (  # noqa: E402
    ReadBind,
    ReadOnlySession,
    get_read_bind,
    get_read_session,
    get_unit_of_work,
)
from src.mail.config import EmailBackend, email_settings  # noqa: E402
from src.main import create_app  # noqa: E402
from tests.factories import AuthUser, create_superuser, create_user  # noqa: E402
from tests.smtp import Inbox, free_port, start_smtp_server  # noqa: E402
from tests.utils import AppFactory, app_client  # noqa: E402


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    # Tests of PostgreSQL behaviour (faults) run in the PostgreSQL pass only.
    if not settings.is_sqlite:
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _run_sql(url: str, *statements: str) -> None:
    async def run() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
        await engine.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A freshly migrated database for this run, removed afterwards."""
    url = settings.DATABASE_URL
    if settings.is_sqlite:
        migrations.upgrade_head(url)
        yield url
        return
    admin = make_url(url)
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin_url = admin.render_as_string(hide_password=False)
    test_url = admin.set(database=name).render_as_string(hide_password=False)
    _run_sql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        migrations.upgrade_head(test_url)
        yield test_url
    finally:
        _run_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def test_config(database_url: str) -> Config:
    return Config(DATABASE_URL=database_url)


@pytest.fixture(scope="session")
async def engine(test_config: Config) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(test_config)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside a transaction that is rolled back after the test."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        if transaction.is_active:
            await transaction.rollback()


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    """The session the app and the test share; its commits are savepoints."""
    async with AsyncSession(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    ) as session:
        yield session


@pytest.fixture
def app_factory(
    test_config: Config, connection: AsyncConnection, session: AsyncSession
) -> AppFactory:
    """Build an app on the test's rolled-back connection: its units of work
    share the test's session, its reads see what they wrote.

    Keyword arguments override settings for that app only.
    """
    read_sessionmaker = async_sessionmaker(
        connection,
        expire_on_commit=False,
        sync_session_class=ReadOnlySession,
        # A read session's commits end nothing but its own use of the connection.
        join_transaction_mode="rollback_only",
    )

    async def test_read_session() -> AsyncIterator[AsyncSession]:
        async with read_sessionmaker() as read_session:
            yield read_session

    async def test_unit_of_work() -> AsyncIterator[AsyncSession]:
        # Same contract as the real dependency: commit (here, release the
        # savepoint) before the response, roll back on error.
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise

    async def test_read_bind() -> ReadBind:
        # Reads outside the unit of work see the test's uncommitted rows too.
        return connection

    def factory(**overrides: object) -> FastAPI:
        app = create_app(test_config.model_copy(update=overrides))
        app.dependency_overrides[get_unit_of_work] = test_unit_of_work
        app.dependency_overrides[get_read_session] = test_read_session
        app.dependency_overrides[get_read_bind] = test_read_bind
        return app

    return factory


@pytest.fixture
def app(app_factory: AppFactory) -> FastAPI:
    return app_factory()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client whose writes are rolled back after the test."""
    async with app_client(app) as client:
        yield client


async def _empty_tables(database_url: str) -> None:
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())
    await engine.dispose()


@pytest.fixture
def committed_database(database_url: str) -> Iterator[str]:
    """The test database for code that really commits; emptied afterwards."""
    yield database_url
    asyncio.run(_empty_tables(database_url))


@pytest.fixture(scope="module")
def committed_module_database(database_url: str) -> Iterator[str]:
    """As `committed_database`, shared by a module's tests (a running server)."""
    yield database_url
    asyncio.run(_empty_tables(database_url))


@pytest.fixture
async def committing_client(
    test_config: Config, database_url: str
) -> AsyncIterator[AsyncClient]:
    """A client on real, separately committed sessions (for races).

    Every table is emptied afterwards.
    """
    async with app_client(create_app(test_config)) as client:
        yield client
    await _empty_tables(database_url)


@pytest.fixture
async def user(client: AsyncClient) -> AuthUser:
    return await create_user(client)


@pytest.fixture
async def other_user(client: AsyncClient) -> AuthUser:
    return await create_user(client)


@pytest.fixture
def smtp_inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """Route email through the smtp backend to a real server the test reads."""
    inbox = Inbox()
    controller = start_smtp_server(inbox)
    monkeypatch.setattr(email_settings, "EMAIL_BACKEND", EmailBackend.SMTP)
    monkeypatch.setattr(email_settings, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setattr(email_settings, "SMTP_PORT", controller.port)
    yield inbox
    controller.stop()


@pytest.fixture
async def superuser(client: AsyncClient, session: AsyncSession) -> AuthUser:
    return await create_superuser(client, session)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-protocol server (moto's server mode) on 127.0.0.1."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - slow import

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=[StorageBackend.LOCAL, StorageBackend.S3])
def storage_backend(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> StorageBackend:
    """Each backend in turn: a fresh directory, or a fresh bucket on the S3
    server, reached through the same client code production uses.
    """
    backend: StorageBackend = request.param
    monkeypatch.setattr(storage_settings, "STORAGE_BACKEND", backend)
    if backend is StorageBackend.LOCAL:
        monkeypatch.setattr(storage_settings, "STORAGE_LOCAL_DIR", tmp_path / "files")
        return backend
    endpoint = request.getfixturevalue("s3_endpoint")
    bucket = f"test-{uuid.uuid4().hex[:16]}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(storage_settings, "AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setattr(storage_settings, "AWS_S3_BUCKET", bucket)
    monkeypatch.setattr(storage_settings, "AWS_REGION", "us-east-1")
    asyncio.run(_create_bucket())
    return backend


async def _create_bucket() -> None:
    from aiobotocore.session import get_session  # noqa: PLC0415

    async with get_session().create_client(
        "s3",
        region_name=storage_settings.AWS_REGION,
        endpoint_url=storage_settings.AWS_ENDPOINT_URL,
    ) as client:
        await client.create_bucket(Bucket=storage_settings.AWS_S3_BUCKET or "")
