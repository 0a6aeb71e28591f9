"""What the job drills share: an SMTP server that can hold a session, the
`worker` command in a child process, and waiting for the database to show
an outcome."""

import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Generator
from contextlib import contextmanager
from typing import IO, Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from src.jobs.constants import JobStatus
from src.jobs.models import Job
from tests.factories import user_payload
from tests.smtp import Inbox

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


# Short leases and quick relays: a drill sees in seconds what production
# does in tens of seconds (the recovery drills keep the defaults).
QUICK_JOBS = {
    "JOBS_LEASE": "3",
    "JOBS_RELAY_INTERVAL": "0.2",
    "JOBS_REDISPATCH_AFTER": "1",
    "JOBS_RETRY_BASE_DELAY": "0.2",
    "JOBS_MAX_ATTEMPTS": "3",
}


def job_env(
    database_url: str,
    smtp_port: int,
    redis_url: str | None,
    *,
    timings: dict[str, str] = QUICK_JOBS,
) -> dict[str, str]:
    """What the API and the workers of one drill share."""
    env = {
        "DATABASE_URL": database_url,
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        # Its own Redis stream: drills do not see each other's jobs.
        "RATE_LIMIT_KEY_PREFIX": f"drill-{uuid.uuid4().hex[:8]}",
        **timings,
    }
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def running_worker(
    env: dict[str, str], *, wait_started: bool = False
) -> Generator[subprocess.Popen[bytes]]:
    """`python -m src.cli worker` (once it listens, if `wait_started`); what
    it printed is shown if a drill fails."""
    environment = os.environ | {"LOG_LEVEL": "INFO" if wait_started else "WARNING"}
    with tempfile.NamedTemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "src.cli", "worker"],
            env=environment | env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            if wait_started:
                _wait_for_line(process, output.name, "worker_started")
            yield process
        except BaseException:
            show(output)
            raise
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def _wait_for_line(process: subprocess.Popen[bytes], path: str, text: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    with open(path, "rb") as printed:
        while text.encode() not in printed.read():
            printed.seek(0)
            assert process.poll() is None, "the worker exited"
            assert time.monotonic() < deadline, f"the worker never logged {text}"
            time.sleep(0.1)


def show(output: IO[bytes]) -> None:
    output.seek(0)
    sys.stderr.write(output.read().decode(errors="replace"))


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait for `condition`, checking every tenth of a second."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        await asyncio.sleep(0.1)


async def statuses(database_url: str) -> dict[str, JobStatus]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Job.id, Job.status))
            return {str(job_id): JobStatus(status) for job_id, status in rows.all()}
    finally:
        await engine.dispose()


async def until_jobs_finish(database_url: str, count: int) -> dict[str, JobStatus]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        found = await statuses(database_url)
        finished = [
            s for s in found.values() if s in (JobStatus.DONE, JobStatus.FAILED)
        ]
        if len(finished) >= count:
            return found
        assert time.monotonic() < deadline, f"jobs still unfinished: {found}"
        await asyncio.sleep(0.1)


def register(base_url: str) -> str:
    payload = user_payload()
    response = httpx.post(f"{base_url}/auth/users", json=payload, timeout=30)
    assert response.status_code == 201, response.text
    return str(payload["email"])
