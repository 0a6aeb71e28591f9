"""Search (`q`): what it finds, what it counts, and the index behind it."""

import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from src.database.base import utcnow
from src.posts.constants import SEARCH_TOTAL_LIMIT
from src.posts.models import Post
from tests.factories import AuthUser, create_post

pytestmark = pytest.mark.anyio


async def test_a_search_counts_at_most_ten_thousand_matches(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    now = utcnow()
    await connection.execute(
        insert(Post),
        [
            {
                "id": uuid.uuid4(),
                "title": f"garden diary {n}",
                "content": "tomatoes",
                "creator_id": uuid.UUID(user.id),
                "created_at": now - timedelta(seconds=n),
            }
            for n in range(SEARCH_TOTAL_LIMIT + 5)
        ],
    )
    await create_post(client, user, title="Unrelated", content="nothing here")

    found = await client.get("/posts", params={"q": "GARDEN", "limit": 3})
    everything = await client.get("/posts", params={"limit": 1})

    assert found.status_code == 200
    assert found.json()["total"] == SEARCH_TOTAL_LIMIT
    assert [p["title"] for p in found.json()["items"]] == [
        "garden diary 0",
        "garden diary 1",
        "garden diary 2",
    ]
    assert everything.json()["total"] == SEARCH_TOTAL_LIMIT + 6


@pytest.mark.postgres
@pytest.mark.parametrize("column", ["title", "content"])
async def test_postgresql_searches_through_a_trigram_index(
    connection: AsyncConnection, column: str
) -> None:
    # Whatever the table's size, the planner can answer ILIKE '%...%' from
    # the index (sequential scans are ruled out only to ask that question).
    await connection.execute(text("SET LOCAL enable_seqscan = off"))
    plan = await connection.scalars(
        text(f"EXPLAIN SELECT id FROM post WHERE {column} ILIKE '%garden%'")  # noqa: S608
    )

    assert f"post_{column}_trgm_idx" in "\n".join(plan)
