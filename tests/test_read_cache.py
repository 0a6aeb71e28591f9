"""The read cache's own rules: generations shared through Redis, an epoch
that outlives no loss of Redis's data, a bound in bytes, and no cached
answer at all when the generations cannot be known."""

import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from src.database.unit_of_work import UnitOfWork
from src.web.read_cache import ReadCache, changed
from tests.utils import REDIS_URL

pytestmark = [pytest.mark.anyio, pytest.mark.database_independent]

NAMES = ("post:1", "authors")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: Redis) -> AsyncIterator[str]:
    prefix = f"test-read-cache-{uuid.uuid4().hex}"
    yield prefix
    async for key in redis.scan_iter(f"{prefix}:*"):
        await redis.delete(key)


def _cache(redis: Redis | None, prefix: str = "p", **options: float) -> ReadCache:
    return ReadCache(
        redis,
        prefix=prefix,
        max_bytes=int(options.get("max_bytes", 1_000_000)),
        ttl=options.get("ttl", 60),
    )


async def _commit_change(cache: ReadCache, *names: str) -> None:
    # What a unit of work hands its listeners once it has committed.
    uow = UnitOfWork(AsyncSession())
    changed(uow, *names)
    await cache.after_commit(uow)


async def test_a_write_on_one_worker_retires_the_other_workers_entry(
    redis: Redis, prefix: str
) -> None:
    reader, writer = _cache(redis, prefix), _cache(redis, prefix)
    held = await reader.generations(NAMES)
    reader.put("post:1", held, "answer", cost=10)
    assert reader.get("post:1", await reader.generations(NAMES)) == "answer"

    await _commit_change(writer, "post:1")

    assert reader.get("post:1", await reader.generations(NAMES)) is None


async def test_an_answer_read_before_a_write_is_never_served_after_it(
    redis: Redis, prefix: str
) -> None:
    reader, writer = _cache(redis, prefix), _cache(redis, prefix)
    # The reader asks for the generations, then the write commits, then the
    # reader stores what it read from the database.
    held = await reader.generations(NAMES)
    await _commit_change(writer, "authors")
    reader.put("post:1", held, "old answer", cost=10)

    assert reader.get("post:1", await reader.generations(NAMES)) is None


async def test_redis_losing_its_data_retires_every_entry(
    redis: Redis, prefix: str
) -> None:
    cache = _cache(redis, prefix)
    held = await cache.generations(NAMES)
    cache.put("post:1", held, "answer", cost=10)

    await redis.delete(*[key async for key in redis.scan_iter(f"{prefix}:*")])

    assert cache.get("post:1", await cache.generations(NAMES)) is None


async def test_without_redis_nothing_is_served_from_or_kept_in_the_cache() -> None:
    cache = _cache(Redis.from_url("redis://127.0.0.1:1/0"))
    generations = await cache.generations(NAMES)
    cache.put("post:1", generations, "answer", cost=10)

    assert generations is None
    assert cache.get("post:1", generations) is None


async def test_in_one_process_a_commit_retires_its_entries() -> None:
    cache = _cache(None)
    held = await cache.generations(NAMES)
    cache.put("post:1", held, "answer", cost=10)
    await _commit_change(cache, "post:2")
    assert cache.get("post:1", await cache.generations(NAMES)) == "answer"

    await _commit_change(cache, "post:1")

    assert cache.get("post:1", await cache.generations(NAMES)) is None


async def test_the_least_recently_used_entries_go_past_the_byte_bound() -> None:
    # Each entry weighs twice its JSON: its rows and its bytes.
    cache = _cache(None, max_bytes=100)
    now = await cache.generations(NAMES)
    cache.put("a", now, "A", cost=20)
    cache.put("b", now, "B", cost=20)
    assert cache.get("a", now) == "A"

    cache.put("c", now, "C", cost=20)
    cache.put("too big", now, "X", cost=60)

    assert [cache.get(key, now) for key in ("a", "b", "c", "too big")] == [
        "A",
        None,
        "C",
        None,
    ]


async def test_an_entry_lives_no_longer_than_its_ttl() -> None:
    cache = _cache(None, ttl=0)
    now = await cache.generations(NAMES)
    cache.put("post:1", now, "answer", cost=10)

    assert cache.get("post:1", now) is None
