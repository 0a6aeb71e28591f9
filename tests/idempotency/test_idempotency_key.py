"""Idempotency-Key on creating routes: a retry gets the first response and
creates nothing; a different body is refused; concurrent repeats create once."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from src.attachments.models import Attachment
from src.auth.models import User
from src.comments.models import Comment
from src.database.base import utcnow
from src.idempotency.models import IdempotencyRecord
from src.jobs.models import Job
from src.posts.models import Post
from tests.factories import AuthUser, create_post, create_user, user_payload

pytestmark = pytest.mark.anyio

POST = {"title": "Kept once", "content": "However often it is sent."}


def _keyed(user: AuthUser | None, key: str) -> dict[str, str]:
    return (user.headers if user else {}) | {"Idempotency-Key": key}


async def _count(session: AsyncSession, model: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _same_answer(first: Response, again: Response) -> None:
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    for header in ("location", "etag"):
        assert again.headers.get(header) == first.headers.get(header)
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


async def test_a_repeated_post_gets_the_first_response_and_creates_nothing(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    first = await client.post("/posts", json=POST, headers=_keyed(user, "post-1"))
    # The same JSON value, written differently: the same request.
    again = await client.post(
        "/posts",
        content=b'{ "content": "However often it is sent.", "title": "Kept once" }',
        headers=_keyed(user, "post-1") | {"Content-Type": "application/json"},
    )

    assert first.status_code == 201
    _same_answer(first, again)
    assert await _count(session, Post) == 1


async def test_the_same_key_with_a_different_body_is_422(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    await client.post("/posts", json=POST, headers=_keyed(user, "post-1"))

    response = await client.post(
        "/posts", json=POST | {"title": "Another"}, headers=_keyed(user, "post-1")
    )

    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["header", "Idempotency-Key"]
    assert error["type"] == "idempotency_key_reused"
    assert await _count(session, Post) == 1


async def test_keys_belong_to_their_caller(
    client: AsyncClient, session: AsyncSession, user: AuthUser, other_user: AuthUser
) -> None:
    mine = await client.post("/posts", json=POST, headers=_keyed(user, "shared"))
    theirs = await client.post(
        "/posts", json=POST, headers=_keyed(other_user, "shared")
    )

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers
    assert await _count(session, Post) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9"])
async def test_a_malformed_key_is_422(
    client: AsyncClient, session: AsyncSession, user: AuthUser, key: str
) -> None:
    response = await client.post(
        "/posts",
        json=POST,
        headers={
            name.encode(): value.encode()
            for name, value in (user.headers | {"Idempotency-Key": key}).items()
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await _count(session, Post) == 0


async def test_a_refused_request_does_not_use_up_its_key(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    refused = await client.post(
        "/posts", json={"title": ""}, headers=_keyed(user, "post-1")
    )
    accepted = await client.post("/posts", json=POST, headers=_keyed(user, "post-1"))

    assert refused.status_code == 422
    assert accepted.status_code == 201
    assert "idempotent-replayed" not in accepted.headers


async def test_a_key_expires_after_24_hours(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    first = await client.post("/posts", json=POST, headers=_keyed(user, "post-1"))
    await session.execute(
        update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1))
    )

    later = await client.post("/posts", json=POST, headers=_keyed(user, "post-1"))

    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    assert await _count(session, Post) == 2


async def test_without_a_key_every_request_creates(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    for _ in range(2):
        response = await client.post("/posts", json=POST, headers=user.headers)
        assert "idempotent-replayed" not in response.headers

    assert await _count(session, Post) == 2
    assert await _count(session, IdempotencyRecord) == 0


async def test_a_repeated_registration_registers_once_and_emails_once(
    client: AsyncClient, session: AsyncSession
) -> None:
    payload = user_payload()

    first = await client.post("/auth/users", json=payload, headers=_keyed(None, "r1"))
    again = await client.post("/auth/users", json=payload, headers=_keyed(None, "r1"))

    assert first.status_code == 201
    _same_answer(first, again)
    assert await _count(session, User) == 1
    assert await _count(session, Job) == 1


async def test_a_repeated_comment_comments_once(
    client: AsyncClient, session: AsyncSession, user: AuthUser, other_user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}/comments"

    first = await client.post(
        url, json={"content": "Hi"}, headers=_keyed(other_user, "c")
    )
    again = await client.post(
        url, json={"content": "Hi"}, headers=_keyed(other_user, "c")
    )

    assert first.status_code == 201
    _same_answer(first, again)
    assert await _count(session, Comment) == 1


async def test_a_repeated_upload_stores_once_and_another_file_is_422(
    client: AsyncClient, session: AsyncSession, user: AuthUser
) -> None:
    post = await create_post(client, user)
    url = f"/posts/{post['id']}/attachments"

    def upload(content: bytes) -> Any:
        return client.post(
            url,
            files={"file": ("note.txt", content, "text/plain")},
            headers=_keyed(user, "u1"),
        )

    first = await upload(b"hello")
    again = await upload(b"hello")
    other = await upload(b"hello, world")

    assert first.status_code == 201
    _same_answer(first, again)
    assert other.status_code == 422
    assert await _count(session, Attachment) == 1


async def test_the_header_is_documented_on_every_creating_route(
    client: AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    creating = [
        ("/auth/users", "post"),
        ("/auth/users/me/verify-email", "post"),
        ("/auth/password-reset", "post"),
        ("/posts", "post"),
        ("/posts/{post_id}/comments", "post"),
        ("/posts/{post_id}/attachments", "post"),
    ]

    for path, method in creating:
        operation = document["paths"][path][method]
        names = [
            p["name"] for p in operation.get("parameters", []) if p["in"] == "header"
        ]
        assert "Idempotency-Key" in names, path
        assert "409" in operation["responses"], path


@pytest.mark.slow
async def test_twenty_concurrent_requests_with_one_key_create_once(
    committing_client: AsyncClient, engine: AsyncEngine
) -> None:
    client = committing_client
    user = await create_user(client)

    responses = await asyncio.gather(
        *(
            client.post("/posts", json=POST, headers=_keyed(user, "together"))
            for _ in range(20)
        )
    )

    created = [r for r in responses if r.status_code == 201]
    assert {r.status_code for r in responses} <= {201, 409}
    assert len({r.json()["id"] for r in created}) == 1
    assert len([r for r in created if "idempotent-replayed" not in r.headers]) == 1
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["retry-after"] == "1"
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(Post)) == 1
