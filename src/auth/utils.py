"""Password hashing, token primitives and the refresh cookie: nothing here
reads or writes the database."""

import asyncio
import contextlib
import hashlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

import jwt
from fastapi import Response
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from src.auth.config import AuthConfig
from src.auth.constants import REFRESH_COOKIE_PATH
from src.auth.exceptions import PasswordChecksBusy

REFRESH_TOKEN_BYTES = 32
HASH_THREAD_NICENESS = 5


@cache
def _password_hash(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHash:
    # One per set of parameters (in practice, one per process).
    return PasswordHash(
        (
            Argon2Hasher(
                time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
            ),
        )
    )


def _hasher(config: AuthConfig) -> PasswordHash:
    return _password_hash(
        config.PASSWORD_HASH_TIME_COST,
        config.PASSWORD_HASH_MEMORY_KIB,
        config.PASSWORD_HASH_PARALLELISM,
    )


def _lower_thread_priority() -> None:
    # Hashing is CPU-bound: let the event loop's thread win the CPU, so other
    # requests stay fast while logins queue here.
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


class HashQueue:
    """The threads that hash passwords, and how many hashes are theirs."""

    def __init__(self, concurrency: int) -> None:
        # Its size bounds the hashes computed at once (each holds MEMORY_KIB).
        self.executor = ThreadPoolExecutor(
            max_workers=concurrency,
            thread_name_prefix="password-hash",
            initializer=_lower_thread_priority,
        )
        # Computing or waiting; only the event loop's thread changes it.
        self.pending = 0


@cache
def _hash_queue(concurrency: int) -> HashQueue:
    return HashQueue(concurrency)


def hash_queue(config: AuthConfig) -> HashQueue:
    """The threads that hash passwords, shared by the process, and their queue."""
    return _hash_queue(config.PASSWORD_HASH_CONCURRENCY)


async def _off_loop[R](config: AuthConfig, func: Callable[..., R], *args: object) -> R:
    queue = hash_queue(config)
    if queue.pending >= config.PASSWORD_HASH_QUEUE:
        raise PasswordChecksBusy
    queue.pending += 1
    try:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(queue.executor, func, *args)
    finally:
        queue.pending -= 1


@cache
def _dummy_hash(hasher: PasswordHash) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str, config: AuthConfig) -> str:
    """Hash with Argon2id in a worker thread, off the event loop."""
    return await _off_loop(config, _hasher(config).hash, password)


async def verify_password(
    password: str, hashed: str | None, config: AuthConfig
) -> tuple[bool, str | None]:
    """Check a password; return (valid, upgraded hash or None).

    With no hash (unknown user) a dummy hash is checked, so the answer takes
    as long as for a known user with a wrong password.
    """
    hasher = _hasher(config)
    if hashed is None:
        await _off_loop(config, hasher.verify, password, _dummy_hash(hasher))
        return False, None
    return await _off_loop(config, hasher.verify_and_update, password, hashed)


def create_access_token(
    user_id: UUID, config: AuthConfig, *, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    payload = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + timedelta(minutes=config.JWT_EXP),
    }
    return jwt.encode(payload, config.JWT_SECRET, algorithm=config.JWT_ALG)


def decode_access_token(token: str, config: AuthConfig) -> dict[str, Any]:
    """Decode and verify; raises `jwt.InvalidTokenError` on any problem."""
    return jwt.decode(
        token,
        config.JWT_SECRET,
        # Pinned: the token's own header never chooses the algorithm.
        algorithms=[config.JWT_ALG],
        options={"require": ["sub", "exp", "iat"]},
    )


def new_opaque_token() -> str:
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def hash_opaque_token(token: str) -> str:
    # High-entropy random tokens need no slow hash: SHA-256 is enough.
    return hashlib.sha256(token.encode()).hexdigest()


def set_refresh_cookie(response: Response, token: str, config: AuthConfig) -> None:
    response.set_cookie(
        key=config.REFRESH_TOKEN_KEY,
        value=token,
        max_age=int(config.REFRESH_TOKEN_EXP.total_seconds()),
        path=REFRESH_COOKIE_PATH,
        secure=config.SECURE_COOKIES,
        httponly=True,
        samesite="lax",
    )


def clear_refresh_cookie(response: Response, config: AuthConfig) -> None:
    response.delete_cookie(
        key=config.REFRESH_TOKEN_KEY,
        path=REFRESH_COOKIE_PATH,
        secure=config.SECURE_COOKIES,
        httponly=True,
        samesite="lax",
    )
