"""Search (`q`): what it finds, what it counts, and the index behind it."""

import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from src.database.base import utcnow
from src.database.reads import STATEMENTS
from src.posts.constants import SEARCH_TOTAL_LIMIT
from src.posts.models import Post
from tests.factories import AuthUser, create_post
from tests.utils import bulk_insert

pytestmark = pytest.mark.anyio


async def test_a_search_counts_at_most_ten_thousand_matches(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    now = utcnow()
    await bulk_insert(
        connection,
        Post,
        [
            {
                "id": uuid.uuid4(),
                "title": f"garden diary {n}",
                "content": "tomatoes",
                "creator_id": uuid.UUID(user.id),
                "slug": f"garden-diary-{n}",
                "created_at": now - timedelta(seconds=n),
                "published_at": now - timedelta(seconds=n),
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
async def test_postgresql_can_search_through_trigram_indexes(
    connection: AsyncConnection,
) -> None:
    # Whatever the table's size, the search the API runs can be answered
    # from the trigram indexes. Asked with sequential scans ruled out and,
    # in this rolled-back transaction, without the other indexes on the
    # published posts (at a million posts the planner takes the trigram
    # indexes for a rare word anyway: docs/benchmarks.md).
    await connection.execute(text("DROP INDEX post_published_at_idx"))
    await connection.execute(text("DROP INDEX post_creator_id_published_at_idx"))
    await connection.execute(text("SET LOCAL enable_seqscan = off"))
    count = STATEMENTS["posts_search_total"].select
    compiled = count.params(pattern="%garden%").compile(
        dialect=connection.dialect, compile_kwargs={"literal_binds": True}
    )

    plan = "\n".join(await connection.scalars(text(f"EXPLAIN {compiled}")))

    assert "post_title_lower_trgm_idx" in plan
    assert "post_content_lower_trgm_idx" in plan


async def test_a_search_ignores_case_beyond_ascii(
    client: AsyncClient, user: AuthUser
) -> None:
    await create_post(client, user, title="Café society", content="Straße und ÉCOLE")

    found = [
        (await client.get("/posts", params={"q": q})).json()["total"]
        for q in ("CAFÉ", "école", "STRASSE", "straße")
    ]

    # Letters are folded one by one (no ß to SS), on either database.
    assert found == [1, 1, 0, 1]


async def _search_plans(connection: AsyncConnection) -> tuple[int, int]:
    """Generic and custom plans made so far for this connection's searches."""
    generic, custom = (
        await connection.execute(
            text(
                "SELECT coalesce(sum(generic_plans), 0), "
                "coalesce(sum(custom_plans), 0) "
                "FROM pg_prepared_statements WHERE statement LIKE '%title_lower LIKE%' "
                "AND statement NOT LIKE '%pg_prepared_statements%' "
                "AND statement NOT LIKE 'EXPLAIN%'"
            )
        )
    ).one()
    return int(generic), int(custom)


@pytest.mark.postgres
async def test_postgresql_plans_each_search_for_its_word(
    client: AsyncClient, user: AuthUser, connection: AsyncConnection
) -> None:
    # A prepared statement moves to a generic plan after five runs; the
    # right index for a search depends on the word, so searches never do.
    await create_post(client, user, title="Garden notes", content="quokka")
    generic_before, custom_before = await _search_plans(connection)
    for word in ("garden", "quokka", "notes", "zebra", "ardent") * 3:
        assert (await client.get("/posts", params={"q": word})).status_code == 200

    generic, custom = await _search_plans(connection)
    setting = await connection.scalar(text("SHOW plan_cache_mode"))

    # Two statements (the page and the total) per search.
    assert (generic - generic_before, custom - custom_before) == (0, 30)
    assert setting == "auto"


async def test_a_search_follows_edits_and_deletions(
    client: AsyncClient, user: AuthUser
) -> None:
    post = await create_post(client, user, title="Kumquat jam", content="Sugar")
    url = f"/posts/{post['id']}"

    async def found(word: str) -> int:
        total: int = (await client.get("/posts", params={"q": word})).json()["total"]
        return total

    before = [await found("kumquat"), await found("quince")]
    await client.patch(url, json={"title": "Quince jelly"}, headers=user.headers)
    edited = [await found("kumquat"), await found("QUINCE")]
    await client.delete(url, headers=user.headers)
    deleted = [await found("quince"), await found("sugar")]

    assert (before, edited, deleted) == ([1, 0], [0, 1], [0, 0])


@pytest.mark.parametrize("text", ['say "hi"', "100% _sure_", "a*b OR c", "NEAR(x y)"])
async def test_a_search_takes_any_text_literally(
    client: AsyncClient, user: AuthUser, text: str
) -> None:
    await create_post(client, user, title=f"Notes: {text}!", content="Plain")
    await create_post(client, user, title="Unrelated", content="Nothing here")

    response = await client.get("/posts", params={"q": text})

    assert response.status_code == 200
    assert [p["title"] for p in response.json()["items"]] == [f"Notes: {text}!"]


async def test_a_search_never_finds_a_draft(
    client: AsyncClient, user: AuthUser
) -> None:
    await create_post(
        client, user, title="Secret plan", content="Persimmon", status="draft"
    )
    await create_post(client, user, title="Persimmon season", content="Public")

    by_content = await client.get("/posts", params={"q": "persimmon"})
    by_title = await client.get("/posts", params={"q": "secret"})

    assert [p["title"] for p in by_content.json()["items"]] == ["Persimmon season"]
    assert by_content.json()["total"] == 1
    assert by_title.json()["total"] == 0
