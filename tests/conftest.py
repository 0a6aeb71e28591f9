"""Test fixtures: a migrated database per run, a rolled-back transaction per
test, and apps built from a settings object (`test_settings`, `settings`),
not from the environment.

The suite runs on SQLite by default. Set TEST_DATABASE_URL to a PostgreSQL URL
(postgresql+asyncpg://user@host/db) to run it there: a fresh database is
created next to the one named, migrated, and dropped at the end.
"""

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi import BackgroundTasks, FastAPI, Request
from httpx import AsyncClient
from sqlalchemy import delete, make_url, text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    create_async_engine,
)

from src.aws.config import StorageBackend, StorageConfig
from src.conduit.config import ConduitConfig
from src.config import Config, Settings
from src.constants import Environment
from src.database import migrations
from src.database.base import Base
from src.database.counts import ListCount
from src.database.engine import create_engine
from src.database.session import (
    create_read_sessionmaker,
    create_units_of_work,
)
from src.database.unit_of_work import UnitOfWork, UnitsOfWork
from src.domains import job_registry
from src.jobs.config import JobsConfig
from src.jobs.registry import JobContext
from src.jobs.runner import run_job
from src.jobs.service import recorded_jobs
from src.mail.config import EmailBackend, EmailConfig
from src.main import create_app
from src.notifications.config import NotificationsConfig
from src.web.dependencies import get_read_session, get_units_of_work
from src.web.state import STATE_KEY, AppState, app_state
from tests import leftovers
from tests.factories import (
    AuthUser,
    create_moderator,
    create_superuser,
    create_user,
)
from tests.smtp import Inbox, free_port, start_smtp_server
from tests.utils import (
    AUTH_CONFIG,
    REDIS_URL,
    AppFactory,
    app_client,
    with_app_settings,
)

# Unset: the suite runs on a SQLite file of its own.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


_TEMPORARY_AT_START = pytest.StashKey[set[str]]()


def pytest_sessionstart(session: pytest.Session) -> None:
    leftovers.mark_this_run()
    session.stash[_TEMPORARY_AT_START] = leftovers.temporary_directories()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run if a process it started is still alive, or a temporary
    directory of the app's that it made is still there."""
    run = os.environ[leftovers.MARKER]
    processes = leftovers.processes_left(run)
    none: set[str] = set()
    at_start = session.stash.get(_TEMPORARY_AT_START, none)
    directories = leftovers.temporary_directories() - at_start
    if processes or directories:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [
            *(f"process still running: {p}" for p in processes),
            *(f"temporary directory left: {d}" for d in sorted(directories)),
        ]
        if reporter is not None:
            reporter.write_sep("=", "left behind by the run", red=True)
            for line in lines:
                reporter.write_line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    # Tests of PostgreSQL behaviour (faults) run in the PostgreSQL pass only;
    # tests that bring their own database (commands' errors) in the first.
    def runs(item: pytest.Item) -> bool:
        if TEST_DATABASE_URL:
            return item.get_closest_marker("database_independent") is None or (
                item.get_closest_marker("postgres") is not None
            )
        return item.get_closest_marker("postgres") is None

    kept = [item for item in items if runs(item)]
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
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files of this run: the SQLite database, stored attachments."""
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="session")
def database_url(run_dir: Path) -> Iterator[str]:
    """A freshly migrated database for this run, removed afterwards."""
    if not TEST_DATABASE_URL:
        url = f"sqlite+aiosqlite:///{run_dir / 'test.db'}"
        migrations.upgrade_head(url)
        yield url
        return
    admin = make_url(Config(DATABASE_URL=TEST_DATABASE_URL).DATABASE_URL)
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
def test_settings(database_url: str, run_dir: Path) -> Settings:
    """The run's settings, built here rather than read from the environment."""
    return Settings(
        app=Config(
            _env_file=None,
            ENVIRONMENT=Environment.LOCAL,
            DATABASE_URL=database_url,
            REDIS_URL=None,
            RATE_LIMIT_ENABLED=False,
            LOG_JSON=True,
        ),
        auth=AUTH_CONFIG,
        storage=StorageConfig(
            _env_file=None,
            STORAGE_BACKEND=StorageBackend.LOCAL,
            STORAGE_LOCAL_DIR=run_dir / "storage",
        ),
        email=EmailConfig(_env_file=None, EMAIL_BACKEND=EmailBackend.CONSOLE),
        # Test apps run each request's jobs inline (`app_factory`); nothing
        # else runs jobs in the test process.
        jobs=JobsConfig(_env_file=None, RUN_IN_API=False),
        conduit=ConduitConfig(_env_file=None),
        notifications=NotificationsConfig(_env_file=None),
    )


@pytest.fixture
def settings(test_settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The settings of the test's app: the run's, with the storage backend and
    the mail server of the fixtures the test asks for.
    """
    settings = test_settings
    if "storage_backend" in request.fixturenames:
        storage: StorageConfig = request.getfixturevalue("storage_config")
        settings = dataclasses.replace(settings, storage=storage)
    if "smtp_inbox" in request.fixturenames:
        inbox: Inbox = request.getfixturevalue("smtp_inbox")
        settings = dataclasses.replace(settings, email=inbox.config)
    return settings


@pytest.fixture(scope="session")
async def engine(test_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(test_settings.app)
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
def session_units_of_work(connection: AsyncConnection) -> UnitsOfWork:
    """Units of work on the test's connection: each commits a savepoint of
    the test's transaction (rolled back after the test), or rolls it back."""
    return create_units_of_work(connection, join_transaction_mode="create_savepoint")


def on_test_connection(app: FastAPI, connection: AsyncConnection) -> None:
    """What the lifespan hands each request, on the test's connection: the
    routes and dependencies that reach the database through the request
    (`read_bind`, `authenticate`'s unit of work) rather than a dependency."""
    opened = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncGenerator[dict[str, Any]]:
        async with opened(app) as state:
            assert state is not None
            served: AppState = state[STATE_KEY]
            units = create_units_of_work(
                connection, join_transaction_mode="create_savepoint"
            )
            if served.read_cache is not None:
                units.listen(served.read_cache.after_commit)
            yield {
                **state,
                # Reads outside the unit of work see the test's uncommitted
                # rows too.
                STATE_KEY: replace(served, read_engine=connection, units_of_work=units),
            }

    app.router.lifespan_context = lifespan


@pytest.fixture
def app_factory(settings: Settings, connection: AsyncConnection) -> AppFactory:
    """Build an app on the test's rolled-back connection: its units of work
    are savepoints of the test's transaction, its reads see what they wrote.

    Keyword arguments override global settings (`src/config.py`) for that
    app only; `settings=` replaces them all.
    """
    # A read session's commits end nothing but its own use of the connection.
    read_sessionmaker = create_read_sessionmaker(
        connection, join_transaction_mode="rollback_only"
    )

    async def test_read_session() -> AsyncIterator[AsyncSession]:
        async with read_sessionmaker() as read_session:
            yield read_session

    def factory(*, settings: Settings = settings, **overrides: object) -> FastAPI:
        app_settings = with_app_settings(settings, **overrides)
        app = create_app(app_settings)
        registry = job_registry()

        async def test_units_of_work(
            request: Request, background_tasks: BackgroundTasks
        ) -> UnitsOfWork:
            units = create_units_of_work(
                connection, join_transaction_mode="create_savepoint"
            )
            context = JobContext(
                settings=app_settings,
                units_of_work=units,
                storage=app_state(request).storage,
                registry=registry,
            )

            async def run_after_the_response(uow: UnitOfWork) -> None:
                # Where the app hands a commit's jobs to the broker, they run
                # here right after the response, on the test's connection:
                # the same claim, handler and outcome, finished when the
                # client has its answer.
                for job_id in recorded_jobs(uow):
                    background_tasks.add_task(run_job, context, job_id)

            state = app_state(request)
            if state.read_cache is not None:
                units.listen(state.read_cache.after_commit)
            units.listen(run_after_the_response)
            # Committed events reach the app's open streams, as when served.
            units.listen(state.events.after_commit)
            return units

        app.dependency_overrides[get_units_of_work] = test_units_of_work
        app.dependency_overrides[get_read_session] = test_read_session
        on_test_connection(app, connection)
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
        # Last: the deletions above count themselves out of the lists.
        await conn.execute(delete(ListCount))
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
    settings: Settings, database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncClient]:
    """A client on real, separately committed sessions (for races).

    Every table is emptied afterwards. A test marked `app_settings(**values)`
    gets an app with those settings.
    """
    marker = request.node.get_closest_marker("app_settings")
    overrides = {} if marker is None else marker.kwargs
    app = create_app(with_app_settings(settings, **overrides))
    async with app_client(app) as client:
        yield client
    await _empty_tables(database_url)


@pytest.fixture
async def user(client: AsyncClient) -> AuthUser:
    return await create_user(client)


@pytest.fixture
async def other_user(client: AsyncClient) -> AuthUser:
    return await create_user(client)


@pytest.fixture
def smtp_inbox() -> Iterator[Inbox]:
    """A real SMTP server the test reads; the test's app sends email to it."""
    inbox = Inbox()
    controller = start_smtp_server(inbox)
    inbox.config = EmailConfig(
        _env_file=None,
        EMAIL_BACKEND=EmailBackend.SMTP,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
    )
    yield inbox
    controller.stop()


@pytest.fixture
async def superuser(
    client: AsyncClient, session_units_of_work: UnitsOfWork, settings: Settings
) -> AuthUser:
    return await create_superuser(client, session_units_of_work, settings.auth)


@pytest.fixture
async def moderator(client: AsyncClient, superuser: AuthUser) -> AuthUser:
    return await create_moderator(client, superuser)


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
def storage_backend(request: pytest.FixtureRequest) -> StorageBackend:
    """Each backend in turn (the test's app uses `storage_config`)."""
    backend: StorageBackend = request.param
    return backend


@pytest.fixture
def storage_config(
    storage_backend: StorageBackend,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> StorageConfig:
    """A fresh directory, or a fresh bucket on the S3 server, reached through
    the same client code production uses.
    """
    if storage_backend is StorageBackend.LOCAL:
        return StorageConfig(
            _env_file=None,
            STORAGE_BACKEND=StorageBackend.LOCAL,
            STORAGE_LOCAL_DIR=tmp_path / "files",
        )
    # The standard AWS credential chain, pointed at the test server.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    config = StorageConfig(
        _env_file=None,
        STORAGE_BACKEND=StorageBackend.S3,
        AWS_ENDPOINT_URL=request.getfixturevalue("s3_endpoint"),
        AWS_S3_BUCKET=f"test-{uuid.uuid4().hex[:16]}",
        AWS_REGION="us-east-1",
    )
    asyncio.run(_create_bucket(config))
    return config


async def _create_bucket(config: StorageConfig) -> None:
    from aiobotocore.session import get_session  # noqa: PLC0415

    async with get_session().create_client(
        "s3", region_name=config.AWS_REGION, endpoint_url=config.AWS_ENDPOINT_URL
    ) as client:
        await client.create_bucket(Bucket=config.AWS_S3_BUCKET or "")


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A database of its own, next to the run's, with no migration applied
    (for tests of a migration on existing data)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = f"{url.database}.backfill-{uuid.uuid4().hex[:8]}"
        yield url.set(database=path).render_as_string(hide_password=False)
        return
    name = f"backfill_{uuid.uuid4().hex[:12]}"
    admin = url.render_as_string(hide_password=False)
    _run_sql(admin, f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _run_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own in the local Redis (REDIS_URL), its
    keys deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()
