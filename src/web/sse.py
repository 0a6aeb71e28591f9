"""A Server-Sent Events response fed by the event hub (src/web/events.py).

The stream subscribes before it replays, so that an event committed while
the replay runs is not missed; the replay's events are not sent twice. Then
it writes the `retry:` hint (the client knows the stream is live), then
each event as it comes, and a comment line every `heartbeat` seconds, so
proxies keep the connection.

No database connection or request-scoped resource is held while the stream
is open: a route builds this response after its dependencies have run.

Where the server offers the connection extension (`serve`, see
src/cli/protocol.py), the live stream is detached from the request: the
request's task and its middleware finish, and the hub writes each event to
the connection as it is delivered (about a tenth of the memory, and no
task, per open stream). A client that stops reading is cut off once its
backlog overflows; the server's shutdown ends the stream instead of waiting
for it. Elsewhere (another server, tests' ASGI transport) the stream is
written from the request's task.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from src.web.events import (
    DISCONNECTED,
    OVERFLOW,
    SHUTDOWN,
    Event,
    EventHub,
    Subscription,
)

# The ASGI scope extension `serve` adds to each request.
CONNECTION_EXTENSION = "publishing.connection"

type Replay = Callable[[], AsyncIterator[Event]]


class DetachedBody(Protocol):
    """The rest of a response's body, written by its owner, not the ASGI cycle."""

    @property
    def writable(self) -> bool:
        """False while the client is not reading (or is gone)."""

    def write(self, chunk: bytes) -> None: ...

    def end(self) -> None:
        """Finish the response and close the connection."""

    def abort(self) -> None:
        """Drop the connection now, whatever is left to write."""


class ConnectionControl(Protocol):
    def long_lived(self, on_shutdown: Callable[[], None]) -> None:
        """The response stays open: call `on_shutdown` when the server stops
        (it makes room by closing the oldest such connection, too)."""

    def detach(
        self, *, on_lost: Callable[[], None], on_writable: Callable[[], None]
    ) -> DetachedBody:
        """Take the body over from the request, which then finishes; call
        `on_lost` when the connection goes, `on_writable` when the client
        reads again."""


def format_event(event: Event) -> bytes:
    """One event in the `text/event-stream` format."""
    lines = []
    if event.id is not None:
        lines.append(f"id: {event.id}")
    lines.append(f"event: {event.name}")
    lines.extend(f"data: {line}" for line in (event.data or "").splitlines() or [""])
    return ("\n".join(lines) + "\n\n").encode()


PING = b": ping\n\n"


class EventStreamResponse(Response):
    """The events of `topic`, after those `replay` yields, until the client
    goes, the topic's streams are ended, or the server stops."""

    media_type = "text/event-stream"

    def __init__(
        self,
        hub: EventHub,
        topic: str,
        *,
        replay: Replay | None = None,
        heartbeat: float = 15.0,
        retry_ms: int = 3000,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            status_code=200,
            media_type=self.media_type,
            headers={
                "Cache-Control": "no-store",
                # nginx would buffer the stream otherwise.
                "X-Accel-Buffering": "no",
                **(headers or {}),
            },
        )
        # Nothing tells the length of an endless body.
        self.raw_headers = [
            (name, value)
            for name, value in self.raw_headers
            if name != b"content-length"
        ]
        self.hub = hub
        self.topic = topic
        self.replay = replay
        self.heartbeat = heartbeat
        self.retry_ms = retry_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscription = self.hub.subscribe(self.topic)
        control = _control(scope)
        try:
            if control is not None:
                control.long_lived(lambda: subscription.end(SHUTDOWN))
            replayed = await self._open(send, subscription)
            if control is None:
                await self._write_from_task(receive, send, subscription, replayed)
                return
        except BaseException:
            subscription.end(DISCONNECTED)
            raise
        _Pusher(subscription, replayed, self.heartbeat).attach(control)

    async def _open(self, send: Send, subscription: Subscription) -> set[str]:
        """Start the response, send what the client missed, go live; the
        ids of the events replayed."""
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )
        replayed: set[str] = set()
        if self.replay is not None:
            async for missed in self.replay():
                if subscription.ended is not None:
                    break
                await _body(send, format_event(missed))
                if missed.id is not None:
                    replayed.add(missed.id)
        await _body(send, f"retry: {self.retry_ms}\n\n".encode())
        return replayed

    async def _write_from_task(
        self,
        receive: Receive,
        send: Send,
        subscription: Subscription,
        replayed: set[str],
    ) -> None:
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_watch_disconnect, receive, subscription)
                loop = asyncio.get_running_loop()
                ping_at = loop.time() + self.heartbeat
                while subscription.ended is None:
                    event = await subscription.next(max(0, ping_at - loop.time()))
                    if event is None:
                        if subscription.ended is None:
                            await _body(send, PING)
                            ping_at = loop.time() + self.heartbeat
                    elif event.id is None or event.id not in replayed:
                        await _body(send, format_event(event))
                if subscription.ended not in {DISCONNECTED, OVERFLOW}:
                    await send(
                        {"type": "http.response.body", "body": b"", "more_body": False}
                    )
                tasks.cancel_scope.cancel()
        finally:
            subscription.end(DISCONNECTED)


class _Pusher:
    """Writes a detached stream: each event as the hub delivers it, a ping
    every `heartbeat` seconds; ends the response when the stream ends."""

    __slots__ = ("body", "heartbeat", "replayed", "subscription", "timer")

    def __init__(
        self, subscription: Subscription, replayed: set[str], heartbeat: float
    ) -> None:
        self.subscription = subscription
        # Only needed against what was already queued.
        self.replayed = replayed or None
        self.heartbeat = heartbeat

    def attach(self, control: ConnectionControl) -> None:
        subscription = self.subscription
        self.body = control.detach(
            on_lost=lambda: subscription.end(DISCONNECTED), on_writable=self.flush
        )
        self.timer = _later(self.heartbeat, self.ping)
        subscription.on_end(self.ended)
        subscription.listen(self.flush)
        self.flush()

    def flush(self) -> None:
        body, replayed = self.body, self.replayed
        while body.writable and (event := self.subscription.pop()) is not None:
            if replayed is None or event.id not in replayed:
                body.write(format_event(event))
        if body.writable:
            # The queue is empty: what comes now is newer than the replay.
            self.replayed = None

    def ping(self) -> None:
        if self.subscription.ended is None:
            if self.body.writable:
                self.body.write(PING)
            self.timer = _later(self.heartbeat, self.ping)

    def ended(self, reason: str) -> None:
        self.timer.cancel()
        if reason == OVERFLOW:
            self.body.abort()
        elif reason != DISCONNECTED:
            self.body.end()


def _later(delay: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
    return asyncio.get_running_loop().call_later(delay, callback)


async def _body(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _watch_disconnect(receive: Receive, subscription: Subscription) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            subscription.end(DISCONNECTED)
            return


def _control(scope: Scope) -> ConnectionControl | None:
    extension = scope.get("extensions", {}).get(CONNECTION_EXTENSION)
    return None if extension is None else extension.get("control")
