"""API7:2023 Server Side Request Forgery: the API never fetches a URL or
path a client gives it. Profile websites are stored, never visited; upload
names never choose where bytes are written."""

import asyncio

import pytest
from httpx import AsyncClient

from tests.factories import AuthUser, create_post, upload_attachment, user_payload

pytestmark = pytest.mark.anyio


async def test_a_profile_website_is_never_fetched(client: AsyncClient) -> None:
    visits = 0

    async def count_visit(
        _: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal visits
        visits += 1
        writer.close()

    listener = await asyncio.start_server(count_visit, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        website = f"http://127.0.0.1:{port}/internal-admin"
        created = await client.post("/auth/users", json=user_payload(website=website))
        profile = await client.get(f"/users/{created.json()['id']}")

    assert created.status_code == 201
    assert profile.json()["website"] == website
    assert visits == 0


@pytest.mark.parametrize(
    "website",
    ["file:///etc/passwd", "javascript:alert(1)", "gopher://127.0.0.1:6379/_INFO"],
)
async def test_only_web_urls_are_accepted_as_websites(
    client: AsyncClient, website: str
) -> None:
    response = await client.post("/auth/users", json=user_payload(website=website))

    assert response.status_code == 422


async def test_an_upload_name_never_chooses_the_storage_path(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user)

    response = await upload_attachment(
        client, post["id"], user, b"plain text", "../../../etc/cron.d/job", "text/plain"
    )

    assert response.status_code == 201
    assert response.json()["filename"] == "job"
