"""API4:2023 Unrestricted Resource Consumption: every input that could make
the server read, store or return too much has a bound."""

import pytest
from httpx import AsyncClient

from src.config import Settings
from src.posts.constants import SEARCH_MAX_LENGTH, TITLE_MAX_LENGTH
from tests.factories import AuthUser, create_post

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
