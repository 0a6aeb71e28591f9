"""A TCP forwarder to a real server, which a test can cut and restore.

Cutting it is what a crashed or unreachable database looks like to the app:
open connections are reset and new ones are refused. Freezing it is a hung
server or a lost network: connections stay open, and no byte goes through.
"""

import asyncio
import contextlib

from tests.smtp import free_port


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        # Connections accepted so far (held ones included).
        self.accepted = 0

    async def __aenter__(self) -> "TcpProxy":
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        self.thaw()
        await self.cut()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", self.port, reuse_address=True
        )

    async def cut(self) -> None:
        """Refuse new connections and reset the open ones."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        if server is not None:
            await server.wait_closed()

    async def restore(self) -> None:
        await self.start()

    def freeze(self) -> None:
        """Hold every byte, both ways, on old and new connections."""
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    async def _handle(
        self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        self.accepted += 1
        await self._flowing.wait()
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        if self._server is None:
            # Cut while this connection was being opened: it must not outlive it.
            client_writer.transport.abort()
            server_writer.transport.abort()
            return
        self._writers |= {client_writer, server_writer}
        await asyncio.gather(
            self._pipe(client_reader, server_writer),
            self._pipe(server_reader, client_writer),
        )
        self._writers -= {client_writer, server_writer}

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
