"""Events for open streams (Server-Sent Events), delivered after the commit
of the transaction that recorded them.

A service records an `Event` in its unit of work (`record`); the hub, a
listener of the units of work, publishes a commit's events once it is
durable, and never those of a rollback. With Redis, every worker process
holds one pub/sub subscription (not one per stream) and delivers each event
to the streams it holds; without Redis, events stay in the process.

A stream's `Subscription` holds at most `backlog` undelivered events: a
client that stops reading is ended when it overflows, never holding
unbounded memory (it reconnects, and its stream replays what it missed).
"""

import asyncio
import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from src.database.unit_of_work import UnitOfWork
from src.metrics import STREAMS_OPEN

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = structlog.get_logger(__name__)

# Why a stream ended, as `Subscription.ended` says it.
OVERFLOW = "overflow"
REPLACED = "replaced"
SHUTDOWN = "shutdown"
DISCONNECTED = "disconnected"
# The pub/sub subscription was lost and made again: what was published in
# between never arrived, so every stream ends and its client replays.
RESUBSCRIBED = "resubscribed"

_RECORDED = "events"
_RESUBSCRIBE_DELAY = 1.0


@dataclass(frozen=True, slots=True)
class Event:
    """What a topic's streams receive: `data` (text) under `name`, with an
    `id` the client resumes from. No `data` ends the topic's streams, for
    the reason `name` (the user logged out everywhere)."""

    topic: str
    data: str | None
    name: str = "message"
    id: str | None = None


def record(uow: UnitOfWork, event: Event) -> None:
    """Publish `event` once `uow` commits; never if it rolls back."""
    uow.info.setdefault(_RECORDED, []).append(event)


def user_topic(user_id: UUID) -> str:
    """The topic of everything streamed to one user."""
    return f"user:{user_id}"


def end_user_streams(
    uow: UnitOfWork, user_id: UUID, reason: str = "signed_out"
) -> None:
    """End every open stream of the user, on every worker, once `uow` commits."""
    record(uow, Event(user_topic(user_id), None, name=reason))


class Subscription:
    """One stream's inbox: at most `limit` events waiting to be written.
    Ending it (for whatever reason) takes it out of its hub at once."""

    __slots__ = (
        "_on_end",
        "_on_put",
        "_queue",
        "_release",
        "_waiter",
        "ended",
        "limit",
        "topic",
    )

    def __init__(
        self, topic: str, limit: int, release: "Callable[[Subscription], None]"
    ) -> None:
        self.topic = topic
        self.limit = limit
        self._release = release
        self.ended: str | None = None
        self._queue: deque[Event] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._on_end: Callable[[str], None] | None = None
        self._on_put: Callable[[], None] | None = None

    def put(self, event: Event) -> None:
        if self.ended is not None:
            return
        if len(self._queue) >= self.limit:
            self.end(OVERFLOW)
            return
        self._queue.append(event)
        if self._on_put is not None:
            self._on_put()
        self._wake()

    def listen(self, callback: Callable[[], None]) -> None:
        """Call `callback()` as each event is put (a writer that pushes)."""
        self._on_put = callback

    def pop(self) -> Event | None:
        """The oldest waiting event, if any."""
        return self._queue.popleft() if self._queue else None

    def end(self, reason: str) -> None:
        """End the stream; its writer stops at its next event. A writer that
        stops for its own reasons ends it too (DISCONNECTED)."""
        if self.ended is not None:
            return
        self.ended = reason
        self._release(self)
        self._queue.clear()
        # Dropped, so that a writer and its stream do not keep each other
        # alive until the next full garbage collection.
        self._on_put = None
        on_end, self._on_end = self._on_end, None
        self._wake()
        if on_end is not None:
            on_end(reason)

    def on_end(self, callback: Callable[[str], None]) -> None:
        """Call `callback(reason)` when the stream ends (at once if it has)."""
        if self.ended is not None:
            callback(self.ended)
        else:
            self._on_end = callback

    async def next(self, within: float) -> Event | None:
        """The next event; None after `within` seconds without one, or once
        the stream has ended (then `ended` says why)."""
        if not self._queue and self.ended is None:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self._waiter, within)
            except TimeoutError:
                return None
            finally:
                self._waiter = None
        if self.ended is not None or not self._queue:
            return None
        return self._queue.popleft()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class EventHub:
    """This worker's open streams by topic, and how events reach them.

    `publisher` (the app's Redis client) publishes to `channel`; `connect`
    opens the client this worker's one subscription listens with (no read
    timeout: it waits for events). Without them, events are delivered here.
    """

    def __init__(
        self,
        *,
        backlog: int,
        per_topic: int,
        publisher: "Redis | None" = None,
        connect: "Callable[[], Redis] | None" = None,
        channel: str = "publishing:events",
    ) -> None:
        self.backlog = backlog
        self.per_topic = per_topic
        self.channel = channel
        self._publisher = publisher
        self._connect = connect
        self._topics: dict[str, list[Subscription]] = {}
        self._listener: asyncio.Task[None] | None = None
        # Set once this worker's subscription is listening.
        self.listening = asyncio.Event()

    @property
    def open_streams(self) -> int:
        return sum(len(subscriptions) for subscriptions in self._topics.values())

    def subscribe(self, topic: str) -> Subscription:
        """A new stream of `topic`; past `per_topic` open ones, the oldest ends."""
        while len(self._topics.get(topic, ())) >= self.per_topic:
            self._topics[topic][0].end(REPLACED)
        subscription = Subscription(topic, self.backlog, self._release)
        self._topics.setdefault(topic, []).append(subscription)
        STREAMS_OPEN.inc()
        return subscription

    def _release(self, subscription: Subscription) -> None:
        # Called once, by the subscription as it ends.
        subscriptions = self._topics[subscription.topic]
        subscriptions.remove(subscription)
        STREAMS_OPEN.dec()
        if not subscriptions:
            del self._topics[subscription.topic]

    def deliver(self, event: Event) -> None:
        """Hand `event` to this worker's streams of its topic."""
        for subscription in list(self._topics.get(event.topic, ())):
            if event.data is None:
                subscription.end(event.name)
            else:
                subscription.put(event)

    def end_all(self, reason: str) -> None:
        for subscriptions in list(self._topics.values()):
            for subscription in list(subscriptions):
                subscription.end(reason)

    async def after_commit(self, uow: UnitOfWork) -> None:
        """Publish what a committed unit of work recorded (a listener of
        the app's units of work)."""
        events: list[Event] | None = uow.info.get(_RECORDED)
        if events:
            await self.publish(events)

    async def publish(self, events: Iterable[Event]) -> None:
        """To every worker's streams; to this worker's alone while Redis is
        away (the others' clients replay them when they reconnect)."""
        events = list(events)
        if self._publisher is None:
            for event in events:
                self.deliver(event)
            return
        try:
            async with self._publisher.pipeline(transaction=False) as pipe:
                for event in events:
                    pipe.publish(self.channel, _encode(event))
                await pipe.execute()
        except Exception as exc:
            logger.warning("events_publish_failed", error=repr(exc))
            for event in events:
                self.deliver(event)

    async def start(self) -> None:
        if self._connect is None:
            self.listening.set()
            return
        self._listener = asyncio.create_task(self._listen(self._connect))

    async def stop(self) -> None:
        """End every stream of this worker, then stop listening."""
        self.end_all(SHUTDOWN)
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)

    async def _listen(self, connect: "Callable[[], Redis]") -> None:
        lost = False
        while True:
            client = connect()
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    if lost:
                        self.end_all(RESUBSCRIBED)
                        logger.info("events_resubscribed")
                    self.listening.set()
                    async for message in pubsub.listen():
                        self._received(message)
            except Exception as exc:
                logger.warning("events_subscription_lost", error=repr(exc))
            finally:
                self.listening.clear()
                await client.aclose()
            lost = True
            await asyncio.sleep(_RESUBSCRIBE_DELAY)

    def _received(self, message: dict[str, Any]) -> None:
        try:
            fields = json.loads(message["data"])
            event = Event(fields["t"], fields["d"], fields["n"], fields["i"])
        except (KeyError, TypeError, ValueError):
            logger.warning("events_message_unreadable")
            return
        self.deliver(event)


def _encode(event: Event) -> str:
    return json.dumps(
        {"t": event.topic, "d": event.data, "n": event.name, "i": event.id}
    )
