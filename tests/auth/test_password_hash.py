import asyncio
import dataclasses
import threading
from uuid import UUID

import pytest
from httpx import AsyncClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth import utils as auth_utils
from src.auth.models import User
from src.config import Settings
from tests.factories import AuthUser
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio


async def test_a_hash_with_older_parameters_is_upgraded_at_login(
    client: AsyncClient, user: AuthUser, session: AsyncSession
) -> None:
    stored = await session.get(User, UUID(user.id))
    assert stored is not None
    old = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=512, parallelism=1),))
    stored.hashed_password = old.hash(user.password)
    await session.flush()
    old_hash = stored.hashed_password

    response = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )

    assert response.status_code == 200
    await session.refresh(stored)
    assert stored.hashed_password != old_hash
    assert "m=1024" in stored.hashed_password
    again = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )
    assert again.status_code == 200


async def test_a_full_hashing_queue_answers_503_instead_of_waiting(
    app_factory: AppFactory, settings: Settings
) -> None:
    queue = 2
    auth = settings.auth.model_copy(update={"PASSWORD_HASH_QUEUE": queue})
    app = app_factory(settings=dataclasses.replace(settings, auth=auth))
    form = {"username": "nobody", "password": "Wr0ng-password!"}
    async with app_client(app) as client:
        # Occupy the hashing thread; the first logins wait behind it.
        gate = threading.Event()
        executor = auth_utils.hash_queue(auth).executor
        blocker = executor.submit(gate.wait)
        waiting = [
            asyncio.create_task(client.post("/auth/token", data=form))
            for _ in range(queue)
        ]
        async with asyncio.timeout(30):
            while executor._work_queue.qsize() < queue:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

        refused = await client.post("/auth/token", data=form)

        gate.set()
        blocker.result()
        answered = [(await task).status_code for task in waiting]

    assert refused.status_code == 503
    assert refused.json() == {
        "detail": "Too many password checks at once; retry shortly"
    }
    assert int(refused.headers["Retry-After"]) >= 1
    assert answered == [401] * queue
