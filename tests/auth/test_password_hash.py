from uuid import UUID

import pytest
from httpx import AsyncClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import User
from tests.factories import AuthUser

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
