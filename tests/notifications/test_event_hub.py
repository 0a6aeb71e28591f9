"""The event hub with Redis: one subscription per worker process carries an
event published by any of them to the streams each holds."""

import uuid
from collections.abc import AsyncIterator, Callable

import anyio
import pytest
from redis.asyncio import Redis

from src.web.events import RESUBSCRIBED, Event, EventHub, Subscription
from tests.proxy import TcpProxy
from tests.streams import EVENT_DEADLINE

pytestmark = [pytest.mark.anyio, pytest.mark.database_independent]

REDIS = ("127.0.0.1", 6379)


def _url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


def _connect(port: int) -> Callable[[], Redis]:
    return lambda: Redis.from_url(_url(port), socket_connect_timeout=2)


@pytest.fixture
def channel() -> str:
    return f"test-events-{uuid.uuid4().hex}"


@pytest.fixture
async def publisher() -> AsyncIterator[Redis]:
    client = Redis.from_url(_url(REDIS[1]), socket_timeout=2)
    yield client
    await client.aclose()


async def _hub(channel: str, publisher: Redis, port: int = REDIS[1]) -> EventHub:
    hub = EventHub(
        backlog=8,
        per_topic=4,
        publisher=publisher,
        connect=_connect(port),
        channel=channel,
    )
    await hub.start()
    with anyio.fail_after(EVENT_DEADLINE):
        await hub.listening.wait()
    return hub


@pytest.fixture
async def two_workers(
    channel: str, publisher: Redis
) -> AsyncIterator[tuple[EventHub, EventHub]]:
    first, second = await _hub(channel, publisher), await _hub(channel, publisher)
    yield first, second
    for hub in (first, second):
        await hub.stop()


async def _next(subscription: Subscription) -> Event | None:
    return await subscription.next(EVENT_DEADLINE)


async def test_an_event_published_by_one_worker_reaches_the_others_streams(
    two_workers: tuple[EventHub, EventHub],
) -> None:
    first, second = two_workers
    here, there = first.subscribe("user:a"), second.subscribe("user:a")
    elsewhere = second.subscribe("user:b")

    await first.publish([Event("user:a", '{"n": 1}', "notification", "1-a")])

    assert await _next(there) == Event("user:a", '{"n": 1}', "notification", "1-a")
    assert await _next(here) == Event("user:a", '{"n": 1}', "notification", "1-a")
    assert await elsewhere.next(0.01) is None


async def test_ending_a_topic_ends_its_streams_on_every_worker(
    two_workers: tuple[EventHub, EventHub],
) -> None:
    first, second = two_workers
    there = second.subscribe("user:a")

    await first.publish([Event("user:a", None, "signed_out")])

    assert await _next(there) is None
    assert there.ended == "signed_out"
    assert second.open_streams == 0


async def test_without_redis_events_still_reach_this_workers_streams(
    channel: str,
) -> None:
    unreachable = Redis.from_url(_url(1), socket_connect_timeout=1)
    hub = EventHub(backlog=8, per_topic=4, publisher=unreachable, channel=channel)
    here = hub.subscribe("user:a")

    await hub.publish([Event("user:a", "{}", "notification", "1-a")])
    await unreachable.aclose()

    assert await _next(here) == Event("user:a", "{}", "notification", "1-a")


async def test_a_lost_subscription_ends_the_streams_that_missed_events(
    channel: str, publisher: Redis
) -> None:
    async with TcpProxy(*REDIS) as proxy:
        hub = await _hub(channel, publisher, port=proxy.port)
        try:
            stream = hub.subscribe("user:a")
            # Its connection is cut; a new one gets through.
            await proxy.cut()
            await proxy.restore()

            assert await _next(stream) is None
            assert stream.ended == RESUBSCRIBED
        finally:
            await hub.stop()
