import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from src.auth.config import LOCAL_JWT_SECRET, AuthConfig
from src.config import Settings
from src.constants import Environment
from tests.smtp import free_port

# The suite's auth settings: the defaults, with cheap Argon2 parameters (it
# hashes hundreds of passwords); named here so that tests can forge tokens.
AUTH_CONFIG = AuthConfig(
    _env_file=None,
    ENVIRONMENT=Environment.LOCAL,
    JWT_SECRET=LOCAL_JWT_SECRET,
    JWT_ALG="HS256",
    JWT_EXP=5,
    REFRESH_TOKEN_KEY="refreshToken",
    SECURE_COOKIES=True,
    PASSWORD_HASH_TIME_COST=1,
    PASSWORD_HASH_MEMORY_KIB=1024,
    PASSWORD_HASH_PARALLELISM=1,
)

# Builds an app on the test's rolled-back connection (the `app_factory` fixture).
type AppFactory = Callable[..., FastAPI]


def with_app_settings(settings: Settings, **overrides: object) -> Settings:
    """`settings` with some global settings (`src/config.py`) replaced."""
    if not overrides:
        return settings
    return dataclasses.replace(settings, app=settings.app.model_copy(update=overrides))


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncGenerator[AsyncClient]:
    """A client for `app` with its lifespan running; 500s come back as responses."""
    async with app_and_client(app) as (_, client):
        yield client


@asynccontextmanager
async def app_and_client(
    app: FastAPI,
) -> AsyncGenerator[tuple[LifespanManager, AsyncClient]]:
    """`app`'s lifespan running (its `app` is what requests go to) and a
    client for it."""
    async with (
        LifespanManager(app) as manager,
        AsyncClient(
            transport=ASGITransport(app=manager.app, raise_app_exceptions=False),
            base_url="https://test",
        ) as client,
    ):
        yield manager, client


def http_scope(
    method: str, path: str, headers: list[tuple[bytes, bytes]]
) -> dict[str, Any]:
    """The ASGI scope of a request, for tests that drive the app directly
    to see what it reads and when it answers."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 443),
    }


class StatementCounter:
    """Counts the SQL statements run on a connection while active."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection.sync_connection
        self.count = 0

    def _count(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> "StatementCounter":
        event.listen(self._connection, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._connection, "before_cursor_execute", self._count)


# Start-up imports the whole app; on a loaded 2-core machine running the
# suite that has taken well over 30 s. A deadline, not a wait: a server that
# answers sooner is used at once.
SERVER_START_DEADLINE_SECONDS = 180


class ServerStartError(RuntimeError):
    """The server exited or did not answer in time; carries its output."""


@contextmanager
def running_server(
    database_url: str,
    *serve_args: str,
    env: dict[str, str] | None = None,
    open_files: int | None = None,
    log: Path | None = None,
) -> Generator[tuple[subprocess.Popen[bytes], str]]:
    """The API as production runs it (`python -m src.cli serve`), in a child
    process on a free port; yields the process and its base URL once it answers.
    `env` adds to or overrides its environment; `open_files` lowers its
    open-file limit (`ulimit -n`); what it prints goes to `log` if given.

    If it exits or does not answer by the deadline, the failure shows what
    the server printed.
    """
    port = free_port()
    files = tempfile.mkdtemp(prefix="served-files-")
    # The server reads its settings from the environment, as in production.
    environment = os.environ | {
        "ENVIRONMENT": "local",
        "DATABASE_URL": database_url,
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
        "STORAGE_BACKEND": "local",
        "STORAGE_LOCAL_DIR": files,
        "AUTH_PASSWORD_HASH_TIME_COST": str(AUTH_CONFIG.PASSWORD_HASH_TIME_COST),
        "AUTH_PASSWORD_HASH_MEMORY_KIB": str(AUTH_CONFIG.PASSWORD_HASH_MEMORY_KIB),
    }
    environment.pop("REDIS_URL", None)
    environment |= env or {}
    command = [sys.executable, "-m", "src.cli", "serve", "--no-migrate"]
    if open_files is not None:
        command = ["prlimit", f"--nofile={open_files}", "--", *command]
    with log.open("w+b") if log else tempfile.TemporaryFile() as output:
        process = subprocess.Popen(  # noqa: S603
            [*command, "--port", str(port), *serve_args],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own process group: its workers end with it.
            start_new_session=True,
        )
        try:
            yield _started(process, output, f"http://127.0.0.1:{port}")
        finally:
            _stop(process)
            shutil.rmtree(files, ignore_errors=True)


# A server asked to stop (SIGTERM) removes what it made (the metrics
# directory of several workers) within this; past it, it is killed.
SERVER_STOP_SECONDS = 15


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and its whole process group: asked first, then killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=SERVER_STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _started(
    process: subprocess.Popen[bytes], output: IO[bytes], base_url: str
) -> tuple[subprocess.Popen[bytes], str]:
    """`process` and its URL once it answers; ServerStartError otherwise,
    with what the server printed."""
    try:
        wait_until_answers(f"{base_url}/health", process)
    except ServerStartError:
        output.seek(0)
        printed = output.read().decode(errors="replace")
        raise ServerStartError(
            f"serve (exit status {process.poll()}) printed:\n{printed}"
        ) from None
    return process, base_url


def wait_until_answers(url: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until `url` answers 2xx; ServerStartError if `process` exits
    first or the deadline passes."""
    deadline = time.monotonic() + SERVER_START_DEADLINE_SECONDS
    while not _answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise ServerStartError(
                f"{process.args!r} (exit status {process.poll()}) did not answer {url}"
            )
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url).is_success
    except httpx.TransportError:
        return False


async def bulk_insert(
    connection: AsyncConnection,
    model: Any,
    rows: list[dict[str, Any]],
    chunk: int = 1000,
) -> None:
    """Insert `rows` into `model`'s table, `chunk` rows to a statement: one
    statement fires the counted lists' statement triggers once, where a row
    at a time (executemany) would fire them for every row."""
    for start in range(0, len(rows), chunk):
        await connection.execute(insert(model).values(rows[start : start + chunk]))


# The local Redis, for tests of what goes through it across processes.
REDIS_URL = "redis://127.0.0.1:6379/0"


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes of a `serve` with several workers."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text()
    return [
        int(pid)
        for pid in children.split()
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


@contextmanager
def only_through(worker: int, workers: list[int]) -> Generator[None]:
    """The other workers paused: a new connection goes to `worker`."""
    others = [pid for pid in workers if pid != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            os.kill(pid, signal.SIGCONT)


@dataclass(frozen=True)
class ServedUser:
    """A user registered on a running server, signed in."""

    id: str
    username: str
    headers: dict[str, str]


def sign_up(api: str) -> ServedUser:
    """Register a new user on the server at `api` and sign them in."""
    name = f"u{uuid.uuid4().hex[:12]}"
    password = "Correct-horse-9!"
    created = httpx.post(
        f"{api}/auth/users",
        json={
            "email": f"{name}@example.com",
            "username": name,
            "password": password,
            "first_name": "Served",
        },
    )
    assert created.status_code == 201, created.text
    token = httpx.post(
        f"{api}/auth/token", data={"username": name, "password": password}
    )
    assert token.status_code == 200, token.text
    authorization = f"Bearer {token.json()['access_token']}"
    return ServedUser(created.json()["id"], name, {"Authorization": authorization})
