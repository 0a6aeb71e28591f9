"""The HTTP protocol `serve` runs: uvicorn's httptools protocol with the two
limits uvicorn lacks for a server exposed directly.

- A request's line and headers are refused with 431 past MAX_HEADER_BYTES,
  counted as they arrive: a huge header is never buffered whole.
- A new connection must finish sending its first request's headers within
  SERVE_HEADER_TIMEOUT seconds, or it is closed (a silent or trickling client
  otherwise holds a socket forever). Idle keep-alive connections are closed
  by uvicorn's own keep-alive timeout.
"""

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from src.config import load_settings

_HEADERS_TOO_LARGE = b'{"detail":"Request headers too large"}'


class _HeadersTooLargeError(Exception):
    """Raised from a parser callback: the request's headers passed the limit."""


@cache
def _limits() -> tuple[int, float]:
    # Read once per worker process, as the app's settings are.
    config = load_settings().app
    return config.MAX_HEADER_BYTES, config.SERVE_HEADER_TIMEOUT


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size limit and deadline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_header_bytes, self._header_timeout = _limits()
        # Between requests and while a request's headers arrive.
        self._in_headers = True
        # Bytes received while in headers (a header still being parsed).
        self._received = 0
        # Bytes of the request line and headers parsed so far.
        self._parsed = 0
        self._too_large = False
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline = self.loop.call_later(
            self._header_timeout, self._headers_too_slow
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _cancel_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self._in_headers and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._received += len(data)
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
        if self.transport.is_closing():
            return
        self.transport.write(
            STATUS_LINE[431]
            + b"content-type: application/json\r\n"
            + b"content-length: "
            + str(len(_HEADERS_TOO_LARGE)).encode()
            + b"\r\nconnection: close\r\n\r\n"
            + _HEADERS_TOO_LARGE
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
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_headers = True
        self._received = 0
