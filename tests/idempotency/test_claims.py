"""An Idempotency-Key is claimed in a transaction of its own, committed
before the request's work: released if the request fails, taken over once
abandoned, and its response recorded only by the request that holds it."""

import json
import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import utcnow
from src.database.unit_of_work import UnitsOfWork
from src.idempotency import service
from src.idempotency.constants import CLAIM_TIMEOUT, KEY_LIFETIME
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.idempotency.models import IdempotencyRecord
from src.posts.models import Post
from tests.factories import AuthUser

pytestmark = pytest.mark.anyio

POST = {"title": "Claimed", "content": "Once."}


async def _claims(session: AsyncSession) -> int:
    count = await session.scalar(select(func.count()).select_from(IdempotencyRecord))
    return int(count or 0)


async def _left_claimed(session: AsyncSession, user: AuthUser, age: timedelta) -> None:
    """A claim on key "k" for POST /posts, made `age` ago by a request that
    never finished (its process died)."""
    body = service.canonical_json(json.dumps(POST).encode())
    session.add(
        IdempotencyRecord(
            scope=f"user:{user.id}",
            key="k",
            fingerprint=service.fingerprint("POST", "/posts", body),
            created_at=utcnow() - age,
            expires_at=utcnow() - age + KEY_LIFETIME,
        )
    )
    await session.flush()


async def test_a_claim_in_progress_answers_409(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    await _left_claimed(session, user, timedelta(seconds=1))

    response = await client.post(
        "/posts", json=POST, headers=user.headers | {"Idempotency-Key": "k"}
    )

    assert response.status_code == 409
    assert response.headers["Retry-After"] == "1"
    assert await session.scalar(select(func.count()).select_from(Post)) == 0


async def test_an_abandoned_claim_is_taken_over_after_its_timeout(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    await _left_claimed(session, user, CLAIM_TIMEOUT + timedelta(seconds=1))

    response = await client.post(
        "/posts", json=POST, headers=user.headers | {"Idempotency-Key": "k"}
    )
    again = await client.post(
        "/posts", json=POST, headers=user.headers | {"Idempotency-Key": "k"}
    )

    assert response.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()
    assert await session.scalar(select(func.count()).select_from(Post)) == 1


async def test_a_failed_request_releases_its_key(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    missing = f"/posts/{uuid.uuid4()}/comments"
    headers = user.headers | {"Idempotency-Key": "c"}

    first = await client.post(missing, json={"content": "x"}, headers=headers)
    again = await client.post(missing, json={"content": "x"}, headers=headers)

    assert first.status_code == again.status_code == 404
    assert await _claims(session) == 0


async def test_a_request_whose_claim_was_taken_over_records_nothing(
    session_units_of_work: UnitsOfWork, session: AsyncSession, user: AuthUser
) -> None:
    units = session_units_of_work
    claim = {"scope": f"user:{user.id}", "key": "k", "request_fingerprint": "f"}
    first = await service.claim(units, **claim)
    # It outlives the timeout; a repeat takes the key over.
    await session.execute(
        update(IdempotencyRecord).values(
            created_at=utcnow() - CLAIM_TIMEOUT - timedelta(seconds=1)
        )
    )
    second = await service.claim(units, **claim)

    async def write_and_record() -> None:
        async with units() as uow:
            creator = uuid.UUID(user.id)
            uow.session.add(Post(title="t", content="c", slug="t", creator_id=creator))
            await uow.session.flush()
            await service.record_response(
                uow, first, status_code=201, body=b"{}", headers={}
            )

    with pytest.raises(IdempotencyKeyInProgress):
        await write_and_record()

    assert second != first
    assert await session.scalar(select(func.count()).select_from(Post)) == 0
    record = await session.scalar(select(IdempotencyRecord))
    assert record is not None
    assert (record.id, record.status_code) == (second, None)
