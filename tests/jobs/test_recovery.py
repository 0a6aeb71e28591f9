"""Nothing owed waits long for a dead process, with the default leases and
relay: a restarted embedded API sends at once what its killed predecessor
was handed, and a job whose worker dies runs on another within 30 s."""

import time
from email.message import EmailMessage

import httpx
import pytest
import structlog

from src.jobs.constants import JobStatus
from tests.jobs.drills import (
    REDIS,
    GatedInbox,
    job_env,
    register,
    running_worker,
    until,
    until_jobs_finish,
)
from tests.proxy import TcpProxy
from tests.utils import running_server

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

logger = structlog.get_logger("tests.jobs.recovery")

# What the specification promises (Background jobs).
RESTART_LIMIT_SECONDS = 60
TAKEOVER_LIMIT_SECONDS = 30


async def test_a_restarted_api_sends_what_its_killed_predecessor_was_sending(
    committed_database: str, inbox: GatedInbox
) -> None:
    # No REDIS_URL: the API runs its jobs itself. The mail server does not
    # answer when the reset is asked for; the API is killed while its jobs
    # wait for it, then started again.
    async with TcpProxy("127.0.0.1", inbox.config.SMTP_PORT) as mail_path:
        env = job_env(committed_database, mail_path.port, None, timings={})
        mail_path.freeze()
        with running_server(committed_database, env=env) as (api, base_url):
            email = register(base_url)
            async with httpx.AsyncClient(base_url=base_url) as client:
                asked = await client.post("/auth/password-reset", json={"email": email})
            assert asked.status_code == 202
            # Both emails (verification, reset) are being sent.
            await until(lambda: mail_path.accepted >= 2, "the API to start sending")
            api.kill()
            api.wait()
        mail_path.thaw()
        with running_server(committed_database, env=env):
            restarted = time.monotonic()
            await until(lambda: bool(_resets(inbox, email)), "the reset email")
            took = time.monotonic() - restarted

    logger.info("restart_drill", email_after_restart_s=round(took, 1))
    assert took < RESTART_LIMIT_SECONDS
    assert len(_resets(inbox, email)) == 1


def _resets(inbox: GatedInbox, email: str) -> list[EmailMessage]:
    return [m for m in inbox.to(email) if "Reset" in m["Subject"]]


@pytest.mark.postgres
async def test_a_job_whose_worker_dies_runs_on_another_within_thirty_seconds(
    committed_database: str, inbox: GatedInbox
) -> None:
    env = job_env(
        committed_database,
        inbox.config.SMTP_PORT,
        f"redis://{REDIS[0]}:{REDIS[1]}/0",
        timings={},
    )
    inbox.gate.clear()
    with (
        running_server(committed_database, env=env) as (_, base_url),
        running_worker(env) as first,
    ):
        email = register(base_url)
        await until(lambda: inbox.held == 1, "the first worker to start sending")
        with running_worker(env, wait_started=True):
            first.kill()
            first.wait()
            killed = time.monotonic()
            inbox.gate.set()
            found = await until_jobs_finish(committed_database, 1)
            took = time.monotonic() - killed

    logger.info("takeover_drill", done_after_kill_s=round(took, 1))
    assert list(found.values()) == [JobStatus.DONE]
    assert len(inbox.to(email)) == 1
    assert took < TAKEOVER_LIMIT_SECONDS
