"""The HTTP protocol `serve` runs: uvicorn's httptools protocol with the
limits uvicorn lacks for a server exposed directly.

- A request's line and headers are refused with 431 past MAX_HEADER_BYTES,
  counted as they arrive: a huge header is never buffered whole.
- A connection must finish sending a request's headers within
  SERVE_HEADER_TIMEOUT seconds of its accept or of the request's first byte,
  or it is closed (a silent or trickling client otherwise holds a socket
  forever). Idle keep-alive connections are closed by uvicorn's own
  keep-alive timeout.
- A worker holds at most SERVE_MAX_CONNECTIONS connections, by default its
  open-file limit less SERVE_RESERVED_FILES, so that idle sockets never use
  up the descriptors the database and /health need. A connection past the
  limit makes room by closing the one that has waited longest for a request
  (idle or still sending headers); when every connection has a request in
  flight, the newcomer gets 503 with Retry-After.
- A long-lived response (an event stream, src/web/sse.py) is told through
  the connection extension: it is ended when the server shuts down (rather
  than waited for), and, when every connection has a request in flight,
  the oldest stream is closed to make room (its client reconnects and
  replays): streams never starve ordinary requests. It may detach its body
  from the request: the request's task finishes, and the stream writes to
  the connection (chunked) until it ends it.
"""

import asyncio
import resource
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from src.cli.stream_control import DetachedBody, StreamControl
from src.config import load_settings
from src.web.sse import CONNECTION_EXTENSION

_HEADERS_TOO_LARGE = b'{"detail":"Request headers too large"}'
_BUSY = b'{"detail":"Too many connections, retry shortly"}'


class _Limits(NamedTuple):
    max_header_bytes: int
    header_timeout: float
    max_connections: int


class _HeadersTooLargeError(Exception):
    """Raised from a parser callback: the request's headers passed the limit."""


@cache
def _limits() -> _Limits:
    # Read once per worker process, as the app's settings are.
    config = load_settings().app
    open_files, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    affordable = (
        open_files - config.SERVE_RESERVED_FILES
        if open_files != resource.RLIM_INFINITY
        else None
    )
    wanted = config.SERVE_MAX_CONNECTIONS
    candidates = [n for n in (wanted, affordable) if n is not None]
    return _Limits(
        config.MAX_HEADER_BYTES,
        config.SERVE_HEADER_TIMEOUT,
        max(1, min(candidates)) if candidates else 65536,
    )


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size limit and deadline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = _limits()
        self._max_header_bytes = limits.max_header_bytes
        self._header_timeout = limits.header_timeout
        self._max_connections = limits.max_connections
        # When this connection last started waiting for a request.
        self._waiting_since = 0.0
        self._busy = False
        # Between requests and while a request's headers arrive.
        self._in_headers = True
        # Bytes received while in headers (a header still being parsed).
        self._received = 0
        # Bytes of the request line and headers parsed so far.
        self._parsed = 0
        self._too_large = False
        self._header_deadline: asyncio.TimerHandle | None = None
        # Set while a long-lived response (an event stream) is being sent.
        self.stream_end: Callable[[], None] | None = None
        self.stream_since = 0.0
        self.detached: DetachedBody | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._waiting_since = self.loop.time()
        # Answered 503 when its request arrives: a response written before
        # the request is read would be lost to the reset its close causes.
        self._busy = (
            len(self.connections) > self._max_connections and not self._make_room()
        )
        self._arm_deadline()

    def _make_room(self) -> bool:
        """Close the connection waiting longest for a request, if the open
        ones are over the limit; False when every one has a request in flight.
        """
        # Closed transports leave `connections` only on the next loop turn.
        open_ones = [c for c in self.connections if not c.transport.is_closing()]
        if len(open_ones) <= self._max_connections:
            return True
        waiting = [
            c
            for c in open_ones
            if c is not self
            and isinstance(c, GuardedHttpToolsProtocol)
            and c._waiting_for_request()
        ]
        if waiting:
            min(waiting, key=lambda c: c._waiting_since).transport.close()
            return True
        streams = [
            c
            for c in open_ones
            if isinstance(c, GuardedHttpToolsProtocol) and c.stream_end is not None
        ]
        if not streams:
            return False
        min(streams, key=lambda c: c.stream_since).transport.close()
        return True

    def _waiting_for_request(self) -> bool:
        return (
            self.stream_end is None
            and self._in_headers
            and not self.pipeline
            and (self.cycle is None or self.cycle.response_complete)
        )

    def _arm_deadline(self) -> None:
        self._header_deadline = self.loop.call_later(
            self._header_timeout, self._headers_too_slow
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)
        if self.detached is not None:
            self.detached.on_lost()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.detached is not None:
            self.detached.on_writable()

    def _cancel_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._in_headers and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.detached is not None:
            # A stream's client sends nothing more; a request now would
            # start a cycle under the stream's body.
            return
        if self._busy:
            self._refuse(503, _BUSY, b"retry-after: 1\r\n")
            return
        if self._in_headers:
            self._received += len(data)
            # A later request on a kept-alive connection: its first bytes.
            if self._header_deadline is None:
                self._arm_deadline()
        super().data_received(data)
        # Headers still incomplete after this much: refuse before buffering more.
        if self._in_headers and self._received > self._max_header_bytes:
            self._too_large = True
            self._refuse_headers()

    def send_400_response(self, msg: str) -> None:
        # _HeadersTooLargeError from a callback reaches uvicorn as a parser error.
        if self._too_large:
            self._refuse_headers()
        else:
            super().send_400_response(msg)

    def _refuse_headers(self) -> None:
        self._refuse(431, _HEADERS_TOO_LARGE)

    def _refuse(self, status: int, body: bytes, extra_headers: bytes = b"") -> None:
        if self.transport.is_closing():
            return
        self.transport.write(
            STATUS_LINE[status]
            + b"content-type: application/json\r\n"
            + extra_headers
            + b"content-length: "
            + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )
        self.transport.close()

    def on_message_begin(self) -> None:
        self._parsed = 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count(self, size: int) -> None:
        # Exact sizes, for headers that arrived whole in one read.
        self._parsed += size
        if self._parsed > self._max_header_bytes:
            self._too_large = True
            raise _HeadersTooLargeError

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._cancel_deadline()
        extensions = self.scope.setdefault("extensions", {})
        extensions[CONNECTION_EXTENSION] = {"control": StreamControl(self)}
        super().on_headers_complete()

    def shutdown(self) -> None:
        # A stream would be waited for until the graceful timeout: end it.
        if self.stream_end is not None:
            self.stream_end()
        super().shutdown()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_headers = True
        self._received = 0

    def on_response_complete(self) -> None:
        self.stream_end = None
        self._waiting_since = self.loop.time()
        super().on_response_complete()
