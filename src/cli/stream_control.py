"""What `serve`'s protocol (src/cli/protocol.py) offers a long-lived
response through the connection extension (src/web/sse.py): to be ended at
shutdown, and to write its body straight to the connection once detached
from its request."""

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from uvicorn.protocols.http.flow_control import FlowControl


class Connection(Protocol):
    """What of the protocol (one connection) a stream's control uses."""

    transport: asyncio.Transport
    flow: FlowControl
    loop: asyncio.AbstractEventLoop
    # The request's cycle and scope, let go of once the body is detached.
    cycle: Any
    scope: Any
    headers: list[tuple[bytes, bytes]]
    stream_end: Callable[[], None] | None
    stream_since: float
    detached: "DetachedBody | None"


class DetachedBody:
    """A response body written straight to the connection, chunk by chunk."""

    __slots__ = ("_protocol", "on_lost", "on_writable")

    def __init__(
        self,
        protocol: Connection,
        on_lost: Callable[[], None],
        on_writable: Callable[[], None],
    ) -> None:
        self._protocol = protocol
        self.on_lost = on_lost
        self.on_writable = on_writable

    @property
    def writable(self) -> bool:
        protocol = self._protocol
        return not (protocol.transport.is_closing() or protocol.flow.write_paused)

    def write(self, chunk: bytes) -> None:
        if not self._protocol.transport.is_closing():
            self._protocol.transport.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))

    def end(self) -> None:
        transport = self._protocol.transport
        if not transport.is_closing():
            transport.write(b"0\r\n\r\n")
            transport.close()

    def abort(self) -> None:
        self._protocol.transport.abort()


class StreamControl:
    """What a request's response may ask of its connection (src/web/sse.py)."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: Connection) -> None:
        self._protocol = protocol

    def long_lived(self, on_shutdown: Callable[[], None]) -> None:
        self._protocol.stream_end = on_shutdown
        self._protocol.stream_since = self._protocol.loop.time()

    def detach(
        self, *, on_lost: Callable[[], None], on_writable: Callable[[], None]
    ) -> DetachedBody:
        protocol = self._protocol
        # The request's cycle is done with: its task finishes, and the
        # connection serves no further request (nothing more is read).
        if protocol.cycle is not None:
            protocol.cycle.response_complete = True
            protocol.cycle = None
        # What the request left on the connection: thousands of streams
        # would each keep theirs.
        protocol.scope = None
        protocol.headers = []
        body = DetachedBody(protocol, on_lost, on_writable)
        protocol.detached = body
        if protocol.transport.is_closing():
            protocol.loop.call_soon(on_lost)
        return body
