"""Jobs across real processes: `serve`, `worker`, Redis (through a proxy a
test can cut or freeze) and a real SMTP server. Each drill breaks something
and checks that every email a committed request owed arrives exactly once.
"""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from src.jobs.constants import JobStatus
from tests.jobs.drills import (
    DEADLINE_SECONDS,
    REDIS,
    GatedInbox,
    job_env,
    register,
    running_worker,
    statuses,
    until,
    until_jobs_finish,
)
from tests.proxy import TcpProxy
from tests.utils import running_server

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


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
    env = job_env(committed_database, inbox.config.SMTP_PORT, _redis_url(REDIS[1]))
    inbox.gate.clear()
    with running_server(committed_database, env=env) as (_, base_url):
        with running_worker(env) as first:
            email = register(base_url)
            await until(lambda: inbox.held == 1, "the first worker to start sending")
            first.kill()
            first.wait()
        inbox.gate.set()
        with running_worker(env):
            found = await until_jobs_finish(committed_database, 1)

    assert list(found.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1


@pytest.mark.postgres
async def test_redis_down_for_ten_seconds_delays_jobs_and_loses_none(
    committed_database: str, inbox: GatedInbox, redis_proxy: TcpProxy
) -> None:
    env = job_env(
        committed_database, inbox.config.SMTP_PORT, _redis_url(redis_proxy.port)
    )
    with (
        running_server(committed_database, env=env) as (_, base_url),
        running_worker(env),
    ):
        await redis_proxy.cut()
        emails = []
        # Requests keep coming while Redis is away (about ten seconds).
        for _ in range(5):
            emails.append(await asyncio.to_thread(register, base_url))
            await asyncio.sleep(2)
        await redis_proxy.restore()
        found = await until_jobs_finish(committed_database, len(emails))

    assert set(found.values()) == {JobStatus.DONE}
    assert [len(inbox.to(email)) for email in emails] == [1] * len(emails)


@pytest.mark.postgres
async def test_a_refusing_mail_server_fails_the_job_visibly_and_retry_sends_it(
    committed_database: str, inbox: GatedInbox
) -> None:
    env = job_env(committed_database, inbox.config.SMTP_PORT, _redis_url(REDIS[1]))
    inbox.refusing = True
    with (
        running_server(committed_database, env=env) as (_, base_url),
        running_worker(env),
    ):
        email = register(base_url)
        found = await until_jobs_finish(committed_database, 1)
        assert list(found.values()) == [JobStatus.FAILED]
        assert inbox.refused == 3
        failed = _cli(env, "jobs", "failed")
        (job_id,) = found
        assert job_id in failed.stdout
        assert "send_verification_email" in failed.stdout
        assert "550" in failed.stdout

        inbox.refusing = False
        retried = _cli(env, "jobs", "retry", job_id)
        assert "1 jobs will run again" in retried.stdout
        await until(lambda: len(inbox.to(email)) == 1, "the retried email")

    assert await statuses(committed_database) == {job_id: JobStatus.DONE}
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
    api_env = job_env(
        committed_database, inbox.config.SMTP_PORT, _redis_url(redis_proxy.port)
    )
    worker_env = api_env | {"REDIS_URL": _redis_url(REDIS[1])}
    with running_server(committed_database, env=api_env) as (api, base_url):
        redis_proxy.freeze()
        email = register(base_url)
        api.kill()
        api.wait()
    assert inbox.to(email) == []

    with running_worker(worker_env):
        found = await until_jobs_finish(committed_database, 1)

    assert list(found.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1


async def test_without_redis_the_api_runs_jobs_and_a_restart_finishes_them(
    committed_database: str, inbox: GatedInbox
) -> None:
    # No REDIS_URL: the API runs the jobs itself. Killed mid-send, the job
    # is run by the next API process once its lease has ended.
    env = job_env(committed_database, inbox.config.SMTP_PORT, None)
    inbox.gate.clear()
    with running_server(committed_database, env=env) as (api, base_url):
        email = register(base_url)
        await until(lambda: inbox.held == 1, "the API to start sending")
        api.kill()
        api.wait()
    inbox.gate.set()
    assert inbox.to(email) == []

    with running_server(committed_database, env=env):
        found = await until_jobs_finish(committed_database, 1)

    assert list(found.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1


@pytest.mark.postgres
async def test_sigterm_hands_a_running_job_back_to_the_next_worker(
    committed_database: str, inbox: GatedInbox
) -> None:
    # The job outlasts the worker's grace: it is handed back (not counted as
    # an attempt) at once, not left to its lease, and sent by the next worker.
    env = job_env(committed_database, inbox.config.SMTP_PORT, _redis_url(REDIS[1])) | {
        "JOBS_SHUTDOWN_GRACE": "0.5",
        "JOBS_LEASE": "600",
    }
    inbox.gate.clear()
    with running_server(committed_database, env=env) as (_, base_url):
        with running_worker(env) as first:
            email = register(base_url)
            await until(lambda: inbox.held == 1, "the worker to start sending")
            first.terminate()
            assert await asyncio.to_thread(first.wait, DEADLINE_SECONDS) == 0
        (status,) = (await statuses(committed_database)).values()
        assert status is JobStatus.PENDING
        inbox.gate.set()
        with running_worker(env):
            found = await until_jobs_finish(committed_database, 1)

    assert list(found.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1
