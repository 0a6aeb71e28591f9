"""The event stream response on its own (src/web/sse.py), written the two
ways: detached from its request (as `serve` runs it) and from the request's
task (any other server)."""

from collections.abc import AsyncIterator

import pytest

from src.web.events import Event, EventHub
from src.web.sse import EventStreamResponse
from tests.streams import OpenStream

pytestmark = [pytest.mark.anyio, pytest.mark.database_independent]

TOPIC = "user:a"


@pytest.mark.parametrize("plain", [False, True], ids=["detached", "from its task"])
async def test_an_event_committed_during_the_replay_is_sent_once(plain: bool) -> None:
    hub = EventHub(backlog=8, per_topic=4)
    missed = Event(TOPIC, '{"n": 1}', "notification", "1-a")

    async def replay() -> AsyncIterator[Event]:
        # Committed while the replay reads: it is also on its way live.
        hub.deliver(missed)
        yield missed

    response = EventStreamResponse(hub, TOPIC, replay=replay)
    async with OpenStream(response, "/", plain=plain) as opened:
        [replayed] = await opened.live()
        hub.deliver(Event(TOPIC, '{"n": 2}', "notification", "2-b"))
        following = await opened.next_event()

    assert replayed.id == "1-a"
    assert following.id == "2-b"
    assert hub.open_streams == 0


@pytest.mark.parametrize("plain", [False, True], ids=["detached", "from its task"])
async def test_ending_the_topic_finishes_the_response(plain: bool) -> None:
    hub = EventHub(backlog=8, per_topic=4)
    response = EventStreamResponse(hub, TOPIC, retry_ms=1500)
    async with OpenStream(response, "/", plain=plain) as opened:
        assert (await opened.next_block()).retry == 1500
        hub.deliver(Event(TOPIC, None, "signed_out"))
        await opened.ended()

    assert opened.body == b"retry: 1500\n\n"
    assert hub.open_streams == 0


async def test_a_detached_stream_sends_what_waited_once_its_client_reads_again() -> (
    None
):
    hub = EventHub(backlog=8, per_topic=4)
    response = EventStreamResponse(hub, TOPIC)
    async with OpenStream(response, "/") as opened:
        await opened.live()
        opened.reading = False
        for n in range(3):
            hub.deliver(Event(TOPIC, "{}", "notification", f"{n}-x"))
        opened.resume_reading()

        ids = [(await opened.next_event()).id for _ in range(3)]

    assert ids == ["0-x", "1-x", "2-x"]
