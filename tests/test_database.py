from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from src.config import Settings
from src.database.base import UTCDateTime
from src.main import create_app
from src.posts.models import Post
from src.web.dependencies import ReadSession, UnitOfWorkDep
from tests.factories import create_post, create_user
from tests.utils import app_client

pytestmark = pytest.mark.anyio


@pytest.fixture
async def stamps(connection: AsyncConnection) -> Table:
    # Created inside the test's transaction, so it is rolled back with it.
    table = Table(
        "test_stamp",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("at", UTCDateTime()),
    )
    await connection.run_sync(table.create)
    return table


async def test_timestamps_come_back_aware_in_utc(
    connection: AsyncConnection, stamps: Table
) -> None:
    plus_five = timezone(timedelta(hours=5))
    written = datetime(2026, 3, 1, 15, 30, 45, 123456, tzinfo=plus_five)

    await connection.execute(insert(stamps).values(id=1, at=written))
    read = (await connection.execute(select(stamps.c.at))).scalar_one()

    assert read == written
    assert read.tzinfo == UTC
    assert read.hour == 10


async def test_naive_timestamps_are_refused(
    connection: AsyncConnection, stamps: Table
) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await connection.execute(
            insert(stamps).values(id=2, at=datetime(2026, 3, 1))  # noqa: DTZ001
        )


async def test_a_read_session_refuses_to_write(
    settings: Settings, committed_database: str
) -> None:
    app = create_app(settings)

    @app.get("/test-rename/{post_id}")
    async def rename(post_id: UUID, session: ReadSession) -> None:
        post = await session.get(Post, post_id)
        assert post is not None
        post.title = "Renamed on a read session"
        await session.flush()

    async with app_client(app) as client:
        author = await create_user(client)
        post = await create_post(client, author)
        assert (await client.get(f"/test-rename/{post['id']}")).status_code == 500
        after = await client.get(f"/posts/{post['id']}")

    assert after.json()["title"] == post["title"]


async def test_a_unit_of_work_commits_whatever_the_method(
    settings: Settings, committed_database: str
) -> None:
    app = create_app(settings)

    @app.get("/test-rename/{post_id}")
    async def rename(post_id: UUID, uow: UnitOfWorkDep) -> None:
        post = await uow.session.get(Post, post_id)
        assert post is not None
        post.title = "Renamed by a GET"

    async with app_client(app) as client:
        author = await create_user(client)
        post = await create_post(client, author)
        assert (await client.get(f"/test-rename/{post['id']}")).status_code == 200
        after = await client.get(f"/posts/{post['id']}")

    assert after.json()["title"] == "Renamed by a GET"
