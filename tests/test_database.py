from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from src.database import UTCDateTime

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
