"""Password hashing and token primitives (no database, no HTTP)."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

import anyio
import jwt
from fastapi import Response
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from src.auth.config import auth_settings
from src.auth.constants import REFRESH_COOKIE_PATH

REFRESH_TOKEN_BYTES = 32


@cache
def _password_hash() -> PasswordHash:
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=auth_settings.PASSWORD_HASH_TIME_COST,
                memory_cost=auth_settings.PASSWORD_HASH_MEMORY_KIB,
                parallelism=auth_settings.PASSWORD_HASH_PARALLELISM,
            ),
        )
    )


@cache
def _hash_limiter() -> anyio.CapacityLimiter:
    # Argon2 holds MEMORY_KIB per hash: bound how many run at once.
    return anyio.CapacityLimiter(auth_settings.PASSWORD_HASH_CONCURRENCY)


@cache
def _dummy_hash() -> str:
    return _password_hash().hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    """Hash with Argon2id in a worker thread, off the event loop."""
    return await anyio.to_thread.run_sync(
        _password_hash().hash, password, limiter=_hash_limiter()
    )


async def verify_password(password: str, hashed: str | None) -> tuple[bool, str | None]:
    """Check a password; return (valid, upgraded hash or None).

    With no hash (unknown user) a dummy hash is checked, so the answer takes
    as long as for a known user with a wrong password.
    """
    if hashed is None:
        await anyio.to_thread.run_sync(
            _password_hash().verify, password, _dummy_hash(), limiter=_hash_limiter()
        )
        return False, None
    return await anyio.to_thread.run_sync(
        _password_hash().verify_and_update, password, hashed, limiter=_hash_limiter()
    )


def create_access_token(user_id: UUID, *, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + timedelta(minutes=auth_settings.JWT_EXP),
    }
    return jwt.encode(
        payload, auth_settings.JWT_SECRET, algorithm=auth_settings.JWT_ALG
    )


def decode_access_token(token: str) -> dict[str, Any]:
    """Decode and verify; raises `jwt.InvalidTokenError` on any problem."""
    return jwt.decode(
        token,
        auth_settings.JWT_SECRET,
        # Pinned: the token's own header never chooses the algorithm.
        algorithms=[auth_settings.JWT_ALG],
        options={"require": ["sub", "exp", "iat"]},
    )


def new_opaque_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def hash_opaque_token(token: str) -> str:
    # High-entropy random tokens need no slow hash: SHA-256 is enough.
    return hashlib.sha256(token.encode()).hexdigest()


def set_refresh_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        key=auth_settings.REFRESH_TOKEN_KEY,
        value=token,
        max_age=int(auth_settings.REFRESH_TOKEN_EXP.total_seconds()),
        path=REFRESH_COOKIE_PATH,
        secure=auth_settings.SECURE_COOKIES,
        httponly=True,
        samesite="lax",
    )


def clear_refresh_cookie(response: Response) -> None:
    response.delete_cookie(
        key=auth_settings.REFRESH_TOKEN_KEY,
        path=REFRESH_COOKIE_PATH,
        secure=auth_settings.SECURE_COOKIES,
        httponly=True,
        samesite="lax",
    )
