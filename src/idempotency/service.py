"""Idempotency-Key: claim, commit, work, record.

The first request with a key claims it in a short transaction of its own,
committed before the request's work begins, so that no transaction is open
while the work is slow (an upload streamed to storage, a password hashed).
Its response is then recorded in the transaction of its writes: they
commit together, so a repeat gets exactly what was created. A repeat meanwhile
gets 409; if the request fails, its claim is released with the rollback; if
its process dies, the claim is abandoned and can be taken again after
CLAIM_TIMEOUT.
"""

import asyncio
import hashlib
import json
from typing import Any
from uuid import UUID

import structlog
from fastapi.exceptions import RequestValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.base import utcnow
from src.database.unit_of_work import UnitOfWork, UnitsOfWork
from src.idempotency.constants import (
    CLAIM_TIMEOUT,
    IDEMPOTENCY_HEADER,
    KEY_LIFETIME,
    IdempotencyMessage,
)
from src.idempotency.exceptions import IdempotencyKeyInProgress, IdempotentReplay
from src.idempotency.models import IdempotencyRecord

logger = structlog.get_logger(__name__)

# Seconds between attempts at releasing a claim while the database is away.
RELEASE_RETRY_SECONDS = 1.0


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


def _live(record: IdempotencyRecord) -> bool:
    """Whether a repeat must be answered from `record`: it is within its
    lifetime, and answered or still claimed by a request in progress."""
    now = utcnow()
    if record.expires_at <= now:
        return False
    return record.status_code is not None or record.created_at + CLAIM_TIMEOUT > now


async def claim(
    units: UnitsOfWork, *, scope: str, key: str, request_fingerprint: str
) -> UUID:
    """Claim `key` for this request, committed at once; returns the claim.

    Or raise what a repeat gets: the stored response (IdempotentReplay),
    409 while the first request is in progress, 422 for a different request.
    """
    claim_id: UUID | None = None
    try:
        async with units() as uow:
            existing = await _find(uow.session, scope, key)
            if existing is not None:
                if _live(existing):
                    _answer(existing, request_fingerprint)
                # Expired, or abandoned by a request that died: start afresh.
                await uow.session.execute(
                    delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id)
                )
            record = IdempotencyRecord(
                scope=scope,
                key=key,
                fingerprint=request_fingerprint,
                expires_at=utcnow() + KEY_LIFETIME,
            )
            uow.session.add(record)
            await uow.session.flush()
            # Known before the COMMIT, for the release below if it fails.
            claim_id = record.id
        return claim_id  # noqa: RET504 (read by the handler below)
    except IntegrityError:
        # Another request claimed it first (PostgreSQL: this one waited on
        # the unique index for that claim's commit).
        async with units() as uow:
            existing = await _find(uow.session, scope, key)
        if existing is None or not _live(existing):
            raise IdempotencyKeyInProgress from None
        _answer(existing, request_fingerprint)
        raise  # pragma: no cover - _answer always raises
    except Exception:
        # The claim's COMMIT failed, or its answer was lost with the
        # connection: the claim may stand although this request fails.
        # Release it as a failed request's, so a retry is not refused with
        # 409 until CLAIM_TIMEOUT.
        if claim_id is not None:
            await release(units, claim_id)
        raise


async def record_response(
    uow: UnitOfWork,
    claim_id: UUID,
    *,
    status_code: int,
    body: bytes,
    headers: dict[str, Any],
) -> None:
    """Store the response in the transaction of the request's writes.

    IdempotencyKeyInProgress if the claim is no longer this request's (it
    outlived CLAIM_TIMEOUT and a repeat took the key over): the writes are
    then rolled back, and the repeat's stand.
    """
    recorded = await uow.session.scalar(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == claim_id, IdempotencyRecord.status_code.is_(None)
        )
        .values(status_code=status_code, body=body, headers=headers)
        .returning(IdempotencyRecord.id)
    )
    if recorded is None:
        raise IdempotencyKeyInProgress


async def _delete_claim(units: UnitsOfWork, claim_id: UUID) -> None:
    async with units() as uow:
        await uow.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == claim_id,
                IdempotencyRecord.status_code.is_(None),
            )
        )


# Releases waiting for the database to come back (held so that they run).
_pending_releases: set[asyncio.Task[None]] = set()


async def release(units: UnitsOfWork, claim_id: UUID) -> None:
    """Give up a claim whose request failed: a repeat is processed afresh.

    If the database is what failed, the release is tried again in the
    background until it succeeds (a repeat meanwhile gets 409 with
    Retry-After), or until the claim counts as abandoned anyway.
    """
    try:
        await _delete_claim(units, claim_id)
    except Exception as exc:
        logger.warning("idempotency_release_deferred", error=repr(exc))
        task = asyncio.create_task(_release_later(units, claim_id))
        _pending_releases.add(task)
        task.add_done_callback(_pending_releases.discard)


async def _release_later(units: UnitsOfWork, claim_id: UUID) -> None:
    deadline = asyncio.get_running_loop().time() + CLAIM_TIMEOUT.total_seconds()
    while asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(RELEASE_RETRY_SECONDS)
        try:
            await _delete_claim(units, claim_id)
        except Exception:  # noqa: S112 (the database is still away: try again)
            continue
        return


async def purge_expired(session: AsyncSession) -> int:
    """Delete keys past their 24 hours; returns how many."""
    result = await session.execute(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.expires_at < utcnow())
        .returning(IdempotencyRecord.id)
    )
    return len(result.all())
