"""Background jobs with one worker, on PostgreSQL and Redis.

- jobs/s for a job that does nothing (a file deletion with no files: claim,
  run, record) and for a verification email to a local SMTP sink;
- time from a password-reset request to its email in the sink, p50/p99, with
  `serve` handing the job to Redis and the worker sending it.

Usage: bash bench/jobs.sh (which makes a fresh database and runs this).
Sizes: JOBS=2000 EMAILS=1000 RESETS=200.
"""

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Generator
from contextlib import contextmanager
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from src.auth.models import User
from src.config import load_settings
from src.database.base import utcnow
from src.jobs.constants import JobStatus
from src.jobs.models import Job
from src.jobs.tasks import create_broker, kicker
from tests.smtp import free_port

JOBS = int(os.environ.get("JOBS", "2000"))
EMAILS = int(os.environ.get("EMAILS", "1000"))
RESETS = int(os.environ.get("RESETS", "200"))
PORT = int(os.environ.get("BENCH_PORT", "8077"))
# Looks at the jobs, every 50 ms, before giving up (ten minutes).
POLLS = 12_000


class Sink:
    """An SMTP server that notes when each message arrived, by recipient."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        for address in envelope.rcpt_tos:
            self.arrived[address] = time.perf_counter()
        return "250 OK"


@contextmanager
def process(*args: str, env: dict[str, str]) -> Generator[subprocess.Popen[bytes]]:
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(
            [sys.executable, "-m", "src.cli", *args],
            env=os.environ | env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield child
        finally:
            child.terminate()
            child.wait()


async def _users(url: str, count: int, tag: str) -> list[str]:
    engine = create_async_engine(url)
    emails = [f"{tag}-{n}@example.com" for n in range(count)]
    async with engine.begin() as conn:
        await conn.execute(
            insert(User),
            [
                {
                    "id": uuid.uuid4(),
                    "email": email,
                    "username": f"{tag}_{n}",
                    "username_skeleton": f"{tag}_{n}",
                    "hashed_password": "x",
                    "first_name": "Bench",
                    "created_at": utcnow(),
                    "is_superuser": False,
                    "email_verified": False,
                }
                for n, email in enumerate(emails)
            ],
        )
    await engine.dispose()
    return emails


async def _enqueue(url: str, name: str, payloads: list[dict[str, Any]]) -> list[str]:
    engine = create_async_engine(url)
    ids = [uuid.uuid4() for _ in payloads]
    async with engine.begin() as conn:
        await conn.execute(
            insert(Job),
            [
                {
                    "id": job_id,
                    "name": name,
                    "payload": payload,
                    "created_at": utcnow(),
                    "dispatched_at": utcnow(),
                }
                for job_id, payload in zip(ids, payloads, strict=True)
            ],
        )
    await engine.dispose()
    return [str(job_id) for job_id in ids]


async def _done(url: str, ids: list[str]) -> int:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        done = await conn.scalar(
            select(func.count())
            .select_from(Job)
            .where(
                Job.id.in_([uuid.UUID(i) for i in ids]), Job.status == JobStatus.DONE
            )
        )
    await engine.dispose()
    return int(done or 0)


async def _throughput(url: str, name: str, payloads: list[dict[str, Any]]) -> float:
    """Jobs/s from handing `payloads` as jobs to Redis until all are done."""
    ids = await _enqueue(url, name, payloads)
    broker = create_broker(load_settings())
    kick = kicker(broker)
    started = time.perf_counter()
    await kick([uuid.UUID(i) for i in ids])
    for _ in range(POLLS):
        if await _done(url, ids) == len(ids):
            break
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    await broker.shutdown()
    return len(ids) / elapsed


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main() -> None:
    url = os.environ["DATABASE_URL"]
    sink = Sink()
    smtp_port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "RATE_LIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
    }
    os.environ.update(env)
    try:
        with process("worker", env=env):
            noop = await _throughput(url, "delete_stored_files", [{"keys": []}] * JOBS)
            print(f"no-op job, one worker: {noop:,.0f} jobs/s ({JOBS} jobs)")
            users = await _users(url, EMAILS, "verify")
            rate = await _throughput(
                url,
                "send_verification_email",
                [{"user_id": str(user_id)} for user_id in await _ids(url, users)],
            )
            print(
                f"verification email to a local SMTP sink, one worker: "
                f"{rate:,.0f} jobs/s ({EMAILS} emails)"
            )
            addresses = await _users(url, RESETS, "reset")
            with process("serve", "--no-migrate", "--port", str(PORT), env=env):
                base = f"http://127.0.0.1:{PORT}"
                await _until_up(base)
                sent: dict[str, float] = {}
                async with httpx.AsyncClient(base_url=base) as client:
                    for address in addresses:
                        sent[address] = time.perf_counter()
                        response = await client.post(
                            "/auth/password-reset", json={"email": address}
                        )
                        assert response.status_code == 202
                        await asyncio.sleep(0.02)
                deadline = time.perf_counter() + 60
                while len([a for a in addresses if a in sink.arrived]) < RESETS:
                    assert time.perf_counter() < deadline, "emails missing"
                    await asyncio.sleep(0.05)
            latencies = [(sink.arrived[a] - sent[a]) * 1000 for a in addresses]
            print(
                f"password reset request to email delivered ({RESETS} requests): "
                f"p50 {statistics.median(latencies):.1f} ms, "
                f"p99 {_percentile(latencies, 0.99):.1f} ms"
            )
    finally:
        smtp.stop()


async def _ids(url: str, emails: list[str]) -> list[uuid.UUID]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        found = list(await conn.scalars(select(User.id).where(User.email.in_(emails))))
    await engine.dispose()
    return found


async def _until_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(200):
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("serve did not start")


if __name__ == "__main__":
    asyncio.run(main())
