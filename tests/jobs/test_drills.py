"""Jobs across real processes: `serve`, `worker`, Redis (through a proxy a
test can cut or freeze) and a real SMTP server. Each drill breaks something
and checks that every email a committed request owed arrives exactly once.
"""

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import contextmanager
from typing import IO, Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from src.jobs.constants import JobStatus
from src.jobs.models import Job
from tests.factories import user_payload
from tests.proxy import TcpProxy
from tests.smtp import Inbox, free_port
from tests.utils import running_server

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

REDIS = ("127.0.0.1", 6379)
DEADLINE_SECONDS = 60


class GatedInbox(Inbox):
    """Holds every session before its recipients while the gate is closed,
    so that a job can be caught in the middle of sending."""

    def __init__(self) -> None:
        super().__init__()
        # Set: sessions go through. Set from the test, waited on in the
        # server's own thread.
        self.gate = threading.Event()
        self.gate.set()
        self.held = 0

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.held += 1
        await asyncio.to_thread(self.gate.wait)
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[GatedInbox]:
    inbox = GatedInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.config = inbox.config.model_copy(update={"SMTP_PORT": controller.port})
    yield inbox
    controller.stop()


def _job_env(
    database_url: str, inbox: GatedInbox, redis_url: str | None
) -> dict[str, str]:
    """What the API and the workers of one drill share."""
    env = {
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(inbox.config.SMTP_PORT),
        # Its own Redis stream: drills do not see each other's jobs.
        "RATE_LIMIT_KEY_PREFIX": f"drill-{uuid.uuid4().hex[:8]}",
        "JOBS_LEASE": "3",
        "JOBS_RELAY_INTERVAL": "0.2",
        "JOBS_REDISPATCH_AFTER": "1",
        "JOBS_RETRY_BASE_DELAY": "0.2",
        "JOBS_MAX_ATTEMPTS": "3",
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def running_worker(env: dict[str, str]) -> Generator[subprocess.Popen[bytes]]:
    """`python -m src.cli worker`; what it printed is shown if a drill fails."""
    environment = os.environ | {"LOG_LEVEL": "WARNING"} | env
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "src.cli", "worker"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        except BaseException:
            _show(output)
            raise
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _show(output: IO[bytes]) -> None:
    output.seek(0)
    sys.stderr.write(output.read().decode(errors="replace"))


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for `condition`, checking every tenth of a second."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.1)


async def _statuses(database_url: str) -> dict[str, JobStatus]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Job.id, Job.status))
            return {str(job_id): JobStatus(status) for job_id, status in rows.all()}
    finally:
        await engine.dispose()


async def _until_jobs_finish(database_url: str, count: int) -> dict[str, JobStatus]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        statuses = await _statuses(database_url)
        finished = [
            s for s in statuses.values() if s in (JobStatus.DONE, JobStatus.FAILED)
        ]
        if len(finished) >= count:
            return statuses
        assert time.monotonic() < deadline, f"jobs still unfinished: {statuses}"
        await asyncio.sleep(0.1)


def _register(base_url: str) -> str:
    payload = user_payload()
    response = httpx.post(f"{base_url}/auth/users", json=payload, timeout=30)
    assert response.status_code == 201, response.text
    return str(payload["email"])


@pytest.fixture
async def redis_proxy() -> AsyncIterator[TcpProxy]:
    async with TcpProxy(*REDIS) as proxy:
        yield proxy


def _redis_url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


@pytest.mark.postgres
async def test_a_worker_killed_mid_job_leaves_it_to_the_next_one_exactly_once(
    committed_database: str, inbox: GatedInbox
) -> None:
    env = _job_env(committed_database, inbox, _redis_url(REDIS[1]))
    inbox.gate.clear()
    with running_server(committed_database, env=env) as (_, base_url):
        with running_worker(env) as first:
            email = _register(base_url)
            await _until(lambda: inbox.held == 1, "the first worker to start sending")
            first.kill()
            first.wait()
        inbox.gate.set()
        with running_worker(env):
            statuses = await _until_jobs_finish(committed_database, 1)

    assert list(statuses.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1


@pytest.mark.postgres
async def test_redis_down_for_ten_seconds_delays_jobs_and_loses_none(
    committed_database: str, inbox: GatedInbox, redis_proxy: TcpProxy
) -> None:
    env = _job_env(committed_database, inbox, _redis_url(redis_proxy.port))
    with (
        running_server(committed_database, env=env) as (_, base_url),
        running_worker(env),
    ):
        await redis_proxy.cut()
        emails = []
        # Requests keep coming while Redis is away (about ten seconds).
        for _ in range(5):
            emails.append(await asyncio.to_thread(_register, base_url))
            await asyncio.sleep(2)
        await redis_proxy.restore()
        statuses = await _until_jobs_finish(committed_database, len(emails))

    assert set(statuses.values()) == {JobStatus.DONE}
    assert [len(inbox.to(email)) for email in emails] == [1] * len(emails)


@pytest.mark.postgres
async def test_a_refusing_mail_server_fails_the_job_visibly_and_retry_sends_it(
    committed_database: str, inbox: GatedInbox
) -> None:
    env = _job_env(committed_database, inbox, _redis_url(REDIS[1]))
    inbox.refusing = True
    with (
        running_server(committed_database, env=env) as (_, base_url),
        running_worker(env),
    ):
        email = _register(base_url)
        statuses = await _until_jobs_finish(committed_database, 1)
        assert list(statuses.values()) == [JobStatus.FAILED]
        assert inbox.refused == 3
        failed = _cli(env, "jobs", "failed")
        (job_id,) = statuses
        assert job_id in failed.stdout
        assert "send_verification_email" in failed.stdout
        assert "550" in failed.stdout

        inbox.refusing = False
        retried = _cli(env, "jobs", "retry", job_id)
        assert "1 jobs will run again" in retried.stdout
        await _until(lambda: len(inbox.to(email)) == 1, "the retried email")

    assert await _statuses(committed_database) == {job_id: JobStatus.DONE}
    assert len(inbox.to(email)) == 1


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "src.cli", *args],
        env=os.environ | {"LOG_LEVEL": "WARNING"} | env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.postgres
async def test_the_api_killed_between_commit_and_hand_off_loses_no_job(
    committed_database: str, inbox: GatedInbox, redis_proxy: TcpProxy
) -> None:
    # The API reaches Redis through the proxy, frozen: its hand-off after
    # the commit hangs, and the API is killed meanwhile. The worker reaches
    # Redis directly.
    api_env = _job_env(committed_database, inbox, _redis_url(redis_proxy.port))
    worker_env = api_env | {"REDIS_URL": _redis_url(REDIS[1])}
    with running_server(committed_database, env=api_env) as (api, base_url):
        redis_proxy.freeze()
        email = _register(base_url)
        api.kill()
        api.wait()
    assert inbox.to(email) == []

    with running_worker(worker_env):
        statuses = await _until_jobs_finish(committed_database, 1)

    assert list(statuses.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1


async def test_without_redis_the_api_runs_jobs_and_a_restart_finishes_them(
    committed_database: str, inbox: GatedInbox
) -> None:
    # No REDIS_URL: the API runs the jobs itself. Killed mid-send, the job
    # is run by the next API process once its lease has ended.
    env = _job_env(committed_database, inbox, None)
    inbox.gate.clear()
    with running_server(committed_database, env=env) as (api, base_url):
        email = _register(base_url)
        await _until(lambda: inbox.held == 1, "the API to start sending")
        api.kill()
        api.wait()
    inbox.gate.set()
    assert inbox.to(email) == []

    with running_server(committed_database, env=env):
        statuses = await _until_jobs_finish(committed_database, 1)

    assert list(statuses.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1


@pytest.mark.postgres
async def test_sigterm_hands_a_running_job_back_to_the_next_worker(
    committed_database: str, inbox: GatedInbox
) -> None:
    # The job outlasts the worker's grace: it is handed back (not counted as
    # an attempt) at once, not left to its lease, and sent by the next worker.
    env = _job_env(committed_database, inbox, _redis_url(REDIS[1])) | {
        "JOBS_SHUTDOWN_GRACE": "0.5",
        "JOBS_LEASE": "600",
    }
    inbox.gate.clear()
    with running_server(committed_database, env=env) as (_, base_url):
        with running_worker(env) as first:
            email = _register(base_url)
            await _until(lambda: inbox.held == 1, "the worker to start sending")
            first.terminate()
            assert await asyncio.to_thread(first.wait, DEADLINE_SECONDS) == 0
        (status,) = (await _statuses(committed_database)).values()
        assert status is JobStatus.PENDING
        inbox.gate.set()
        with running_worker(env):
            statuses = await _until_jobs_finish(committed_database, 1)

    assert list(statuses.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1
