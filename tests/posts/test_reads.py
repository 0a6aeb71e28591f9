from uuid import UUID

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from src.posts.models import Post
from tests.factories import create_post, create_user

pytestmark = pytest.mark.anyio


# The write below is made behind the API's back (to hold a lock), which its
# read cache never hears of: this app reads without one.
@pytest.mark.app_settings(READ_CACHE_ENABLED=False)
async def test_reads_are_not_blocked_by_an_open_write(
    committing_client: AsyncClient, engine: AsyncEngine
) -> None:
    # GET requests run without a transaction: on SQLite they would otherwise
    # queue behind the writer's lock until the busy timeout ran out.
    author = await create_user(committing_client)
    post = await create_post(committing_client, author, title="Published")

    async with engine.connect() as writer:
        await writer.begin()
        await writer.execute(
            update(Post).where(Post.id == UUID(post["id"])).values(title="Draft")
        )
        during = await committing_client.get(f"/posts/{post['id']}")
        listed = await committing_client.get("/posts")
        await writer.commit()
    after = await committing_client.get(f"/posts/{post['id']}")

    assert during.status_code == 200
    assert during.json()["title"] == "Published"
    assert listed.json()["items"][0]["title"] == "Published"
    assert after.json()["title"] == "Draft"
