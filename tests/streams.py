"""Event streams driven in-process: a request to the app whose response is
read chunk by chunk as it comes (httpx's ASGI transport waits for the whole
body, and a stream has no end)."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import anyio
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp, Message

from src.web.events import EventHub
from src.web.sse import CONNECTION_EXTENSION
from src.web.state import STATE_KEY, AppState
from tests.utils import http_scope

# Long enough for a loaded machine; a passing test waits only as long as the
# event takes.
EVENT_DEADLINE = 10.0


@dataclass
class StreamEvent:
    """One block of the stream: an event, a `retry:` hint or a comment."""

    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: int | None = None
    comment: str | None = None


def parse_block(block: str) -> StreamEvent:
    parsed = StreamEvent()
    data: list[str] = []
    for line in block.split("\n"):
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "":
            parsed.comment = value
        elif name == "data":
            data.append(value)
        elif name == "retry":
            parsed.retry = int(value)
        elif name in {"id", "event"}:
            setattr(parsed, name, value)
    parsed.data = "\n".join(data) if data else None
    return parsed


class FakeBody:
    """A detached body (src/cli/stream_control.py) that hands what is written
    to the stream reading it."""

    def __init__(
        self,
        stream: "OpenStream",
        connection: "FakeConnection",
        on_lost: Callable[[], None],
        on_writable: Callable[[], None],
    ) -> None:
        self.stream = stream
        self.connection = connection
        self.on_lost = on_lost
        self.on_writable = on_writable

    @property
    def writable(self) -> bool:
        return self.stream.reading and not self.stream.finished

    def write(self, chunk: bytes) -> None:
        self.stream.received(chunk, more=True)

    def end(self) -> None:
        self.stream.received(b"", more=False)

    def abort(self) -> None:
        self.connection.aborted = True
        self.stream.received(b"", more=False)


@dataclass
class FakeConnection:
    """What `serve`'s protocol offers a stream (src/cli/stream_control.py),
    recording what the stream asked of it."""

    aborted: bool = False
    on_shutdown: Callable[[], None] | None = None
    body: FakeBody | None = None
    stream: "OpenStream | None" = None

    def long_lived(self, on_shutdown: Callable[[], None]) -> None:
        self.on_shutdown = on_shutdown

    def detach(
        self, *, on_lost: Callable[[], None], on_writable: Callable[[], None]
    ) -> FakeBody:
        assert self.stream is not None
        self.body = FakeBody(self.stream, self, on_lost, on_writable)
        return self.body


@dataclass
class OpenStream:
    """`GET path` on `app` (its lifespan running), read as it is sent.

    The stream is detached from its request as `serve` does it, through a
    `FakeConnection`; `plain=True` offers no connection extension (another
    server: the request's task writes it). `reading=False` is a client that
    stops reading.
    """

    app: ASGIApp
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    connection: FakeConnection | None = None
    plain: bool = False
    reading: bool = True
    status: int = 0
    response_headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    finished: bool = False

    def __post_init__(self) -> None:
        self._disconnect = asyncio.Event()
        self._started = asyncio.Event()
        self._changed = asyncio.Event()
        self._buffer = ""
        self._blocks: list[StreamEvent] = []
        self._task: asyncio.Task[None] | None = None
        if self.connection is None and not self.plain:
            self.connection = FakeConnection()
        if self.connection is not None:
            self.connection.stream = self

    async def __aenter__(self) -> Self:
        scope: dict[str, Any] = http_scope(
            "GET",
            self.path,
            [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
        )
        scope["query_string"] = urlencode(self.params).encode()
        if self.connection is not None:
            scope["extensions"] = {CONNECTION_EXTENSION: {"control": self.connection}}
        self._task = asyncio.create_task(self._run(scope))
        with anyio.fail_after(EVENT_DEADLINE):
            await self._started.wait()
        return self

    async def _run(self, scope: dict[str, Any]) -> None:
        try:
            await self.app(scope, self._receive, self._send)
        finally:
            # A detached stream goes on after its request.
            if self.connection is None or self.connection.body is None:
                self.finished = True
            self._changed.set()

    async def _receive(self) -> Message:
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.response_headers = {
                k.decode(): v.decode() for k, v in message["headers"]
            }
            self._started.set()
            return
        if not self.reading:
            await self._disconnect.wait()
            return
        self.received(message.get("body", b""), more=message.get("more_body", False))

    def received(self, chunk: bytes, *, more: bool) -> None:
        """What the server wrote; `more=False` when the response has ended."""
        self.body += chunk
        self._buffer += chunk.decode()
        *blocks, self._buffer = self._buffer.split("\n\n")
        self._blocks.extend(parse_block(block) for block in blocks)
        if not more:
            self.finished = True
        self._changed.set()

    def resume_reading(self) -> None:
        """The client reads again."""
        self.reading = True
        if self.connection is not None and self.connection.body is not None:
            self.connection.body.on_writable()

    async def next_block(self) -> StreamEvent:
        """The next block sent; fails if the stream ends first."""
        with anyio.fail_after(EVENT_DEADLINE):
            while not self._blocks:
                if self.finished:
                    raise AssertionError("the stream ended")
                self._changed.clear()
                await self._changed.wait()
        return self._blocks.pop(0)

    async def next_event(self) -> StreamEvent:
        """The next event, past the `retry:` hint and comments."""
        while True:
            block = await self.next_block()
            if block.event is not None:
                return block

    async def live(self) -> list[StreamEvent]:
        """What was sent until the stream went live (the replay)."""
        replayed = []
        while (block := await self.next_block()).retry is None:
            replayed.append(block)
        return replayed

    async def ended(self) -> None:
        """Wait until the app has finished the response."""
        with anyio.fail_after(EVENT_DEADLINE):
            while not self.finished:
                self._changed.clear()
                await self._changed.wait()
            if self._task is not None:
                await self._task

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._disconnect.set()
        body = None if self.connection is None else self.connection.body
        if body is not None and not self.finished:
            self.finished = True
            body.on_lost()
        if self._task is not None:
            with anyio.fail_after(EVENT_DEADLINE):
                await asyncio.gather(self._task, return_exceptions=True)


def app_state_of(manager: LifespanManager) -> AppState:
    """The state the app's lifespan opened, as its requests see it."""
    state: AppState = manager._state[STATE_KEY]
    return state


def hub_of(manager: LifespanManager) -> EventHub:
    return app_state_of(manager).events
