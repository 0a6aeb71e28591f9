"""Idempotency-Key: the first request with a key is processed and its
response stored in its own transaction; a repeat gets that response."""

import hashlib
import json
from typing import Any

from fastapi.exceptions import RequestValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import utcnow
from src.idempotency.constants import (
    IDEMPOTENCY_HEADER,
    KEY_LIFETIME,
    IdempotencyMessage,
)
from src.idempotency.exceptions import IdempotencyKeyInProgress, IdempotentReplay
from src.idempotency.models import IdempotencyRecord


def fingerprint(method: str, path: str, *parts: bytes) -> str:
    """What makes two requests the same request: method, path and body."""
    digest = hashlib.sha256(f"{method} {path}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part)
    return digest.hexdigest()


def canonical_json(body: bytes) -> bytes:
    """The JSON value of `body`, written one way (key order and spacing do
    not make a different request); the bytes themselves if not JSON."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _lock_id(scope: str, key: str) -> int:
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _answer(record: IdempotencyRecord, request_fingerprint: str) -> None:
    """Raise what a repeat of `record`'s request gets."""
    if record.fingerprint != request_fingerprint:
        raise RequestValidationError(
            [
                {
                    "type": "idempotency_key_reused",
                    "loc": ("header", IDEMPOTENCY_HEADER),
                    "msg": IdempotencyMessage.REUSED,
                }
            ]
        )
    if record.status_code is None or record.body is None:
        raise IdempotencyKeyInProgress
    raise IdempotentReplay(record.status_code, record.body, record.headers or {})


async def _find(
    session: AsyncSession, scope: str, key: str
) -> IdempotencyRecord | None:
    record: IdempotencyRecord | None = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    return record


async def begin(
    session: AsyncSession, *, scope: str, key: str, request_fingerprint: str
) -> IdempotencyRecord:
    """Claim `key` for this request in the session's transaction, or raise
    what a repeat gets: the stored response (IdempotentReplay), 409 while
    the first request is in progress, 422 for a different request.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Held until the first request's transaction ends: a repeat meanwhile
        # is told at once instead of waiting on the unique index.
        free = await session.scalar(
            select(func.pg_try_advisory_xact_lock(_lock_id(scope, key)))
        )
        if not free:
            raise IdempotencyKeyInProgress
    existing = await _find(session, scope, key)
    if existing is not None:
        if existing.expires_at > utcnow():
            _answer(existing, request_fingerprint)
        await session.delete(existing)
        await session.flush()
    record = IdempotencyRecord(
        scope=scope,
        key=key,
        fingerprint=request_fingerprint,
        expires_at=utcnow() + KEY_LIFETIME,
    )
    try:
        async with session.begin_nested():
            session.add(record)
    except IntegrityError:
        # SQLite: the first request committed while this one waited to write.
        existing = await _find(session, scope, key)
        if existing is None:
            raise IdempotencyKeyInProgress from None
        _answer(existing, request_fingerprint)
    return record


def remember(
    record: IdempotencyRecord, *, status_code: int, body: bytes, headers: dict[str, Any]
) -> None:
    """Store the response with the request's writes (flushed at the commit)."""
    record.status_code = status_code
    record.body = body
    record.headers = headers


async def purge_expired(session: AsyncSession) -> int:
    """Delete keys past their 24 hours; returns how many."""
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.expires_at < utcnow())
        .returning(IdempotencyRecord.id)
    )
    return len(result.all())
