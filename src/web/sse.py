"""A Server-Sent Events response fed by the event hub (src/web/events.py).

The stream subscribes before it replays, so that an event committed while
the replay runs is not missed; the replay's events are not sent twice. Then
it writes the `retry:` hint (the client knows the stream is live), then
each event as it comes, and a comment line when it has been quiet for
`heartbeat` seconds, so proxies keep the connection.

No database connection or request-scoped resource is held while the stream
is open: a route builds this response after its dependencies have run.

Where the server offers the connection extension (`serve`, see
src/cli/protocol.py), a stream that overflows is cut at once (its client
stopped reading: nothing more can be written to it), and the server's
shutdown ends streams instead of waiting for them.
"""

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


class ConnectionControl(Protocol):
    def abort(self) -> None:
        """Drop the connection now, whatever is left to write."""

    def long_lived(self, on_shutdown: Callable[[], None]) -> None:
        """The response stays open: call `on_shutdown` when the server stops
        (it makes room by closing the oldest such connection, too)."""


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
        if control is not None:
            # The client stopped reading: writing more would only wait.
            subscription.on_end(lambda reason: _abort_on(reason, control))
            control.long_lived(lambda: subscription.end(SHUTDOWN))
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_watch_disconnect, receive, subscription)
                await self._stream(send, subscription)
                tasks.cancel_scope.cancel()
        finally:
            self.hub.unsubscribe(subscription)

    async def _stream(self, send: Send, subscription: Subscription) -> None:
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
        while subscription.ended is None:
            event = await subscription.next(self.heartbeat)
            if event is None:
                if subscription.ended is None:
                    await _body(send, PING)
            elif event.id is None or event.id not in replayed:
                await _body(send, format_event(event))
        if subscription.ended not in {DISCONNECTED, OVERFLOW}:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body(send: Send, chunk: bytes) -> None:
    await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _watch_disconnect(receive: Receive, subscription: Subscription) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            subscription.end(DISCONNECTED)
            return


def _abort_on(reason: str, control: ConnectionControl) -> None:
    if reason == OVERFLOW:
        control.abort()


def _control(scope: Scope) -> ConnectionControl | None:
    extension = scope.get("extensions", {}).get(CONNECTION_EXTENSION)
    return None if extension is None else extension.get("control")
