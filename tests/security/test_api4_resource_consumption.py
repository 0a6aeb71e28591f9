"""API4:2023 Unrestricted Resource Consumption: every input that could make
the server read, store or return too much has a bound."""

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import AsyncClient
from starlette.types import Message

from src.config import Settings
from src.posts.constants import SEARCH_MAX_LENGTH, TITLE_MAX_LENGTH
from tests.factories import AuthUser, create_post
from tests.utils import AppFactory, app_client, http_scope

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "query",
    ["limit=101", "limit=0", "offset=-1", f"q={'x' * (SEARCH_MAX_LENGTH + 1)}"],
)
async def test_list_bounds_are_enforced(client: AsyncClient, query: str) -> None:
    assert (await client.get(f"/posts?{query}")).status_code == 422


async def test_oversized_fields_are_refused(
    client: AsyncClient, user: AuthUser
) -> None:
    response = await client.post(
        "/posts",
        json={"title": "x" * (TITLE_MAX_LENGTH + 1), "content": "c"},
        headers=user.headers,
    )

    assert response.status_code == 422


async def test_a_body_over_the_request_limit_is_413_before_parsing(
    client: AsyncClient, user: AuthUser, settings: Settings
) -> None:
    limit = settings.app.MAX_REQUEST_BYTES
    body = b'{"title": "t", "content": "' + b"x" * limit + b'"}'

    response = await client.post(
        "/posts",
        content=body,
        headers=user.headers | {"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert (await client.get("/posts")).json()["total"] == 0


async def test_a_multipart_upload_takes_one_file_and_no_other_field(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await client.post(
        f"/posts/{post['id']}/attachments",
        files=[
            ("file", ("a.txt", b"one", "text/plain")),
            ("file", ("b.txt", b"two", "text/plain")),
        ],
        data={"extra": "field"},
        headers=user.headers,
    )

    assert response.status_code == 400
    listed = await client.get(f"/posts/{post['id']}/attachments")
    assert listed.json()["total"] == 0


async def _bytes_read_by_a_refused_upload(
    app: FastAPI, post_id: str, headers: dict[str, str]
) -> tuple[int, int]:
    """(status, body bytes the app read) for a 4 MiB upload sent in 4 KiB
    chunks, as a slow client would send it."""
    chunk = b"x" * 4096
    chunks = 1024
    boundary = "bound"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
    ).encode()
    size = len(head) + chunks * len(chunk)
    scope = http_scope(
        "POST",
        f"/posts/{post_id}/attachments",
        [
            (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
            (b"content-length", str(size).encode()),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
    )
    sent = 0
    status = 0

    async def receive() -> Message:
        nonlocal sent
        body = head if sent == 0 else chunk
        sent += len(body)
        return {"type": "http.request", "body": body, "more_body": sent < size}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    async with LifespanManager(app) as manager:
        await manager.app(scope, receive, send)
    return status, sent


@pytest.mark.parametrize("caller", ["anonymous", "not the owner"])
async def test_a_refused_upload_is_answered_before_its_body_is_read(
    app_factory: AppFactory, user: AuthUser, other_user: AuthUser, caller: str
) -> None:
    async with app_client(app_factory()) as client:
        post = await create_post(client, user)
    headers = {} if caller == "anonymous" else other_user.headers

    status, read = await _bytes_read_by_a_refused_upload(
        app_factory(), post["id"], headers
    )

    assert status == (401 if caller == "anonymous" else 403)
    assert read <= 8 * 1024
