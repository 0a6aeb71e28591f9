"""Notification streams as `serve` holds them: across two worker processes
through Redis, when the server stops, and at the connection limit."""

import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.utils import REDIS_URL, running_server, sign_up

pytestmark = pytest.mark.database_independent

DEADLINE = 20.0


class RawStream:
    """A stream read off its socket, as any HTTP/1.1 client would."""

    def __init__(self, api: str, authorization: str) -> None:
        host, port = api.removeprefix("http://").split(":")
        self.socket = socket.create_connection((host, int(port)), timeout=DEADLINE)
        self.socket.sendall(
            b"GET /notifications/stream HTTP/1.1\r\nHost: test\r\n"
            + f"Authorization: {authorization}\r\n\r\n".encode()
        )
        self.received = b""
        self.closed = False
        self.read_until(b"retry:")

    @property
    def local_port(self) -> int:
        port: int = self.socket.getsockname()[1]
        return port

    def read_until(self, wanted: bytes) -> bytes:
        """What came until `wanted`; fails if the stream ends or the deadline passes."""
        deadline = time.monotonic() + DEADLINE
        while wanted not in self.received:
            assert not self.closed, f"the stream ended: {self.received!r}"
            assert time.monotonic() < deadline, f"no {wanted!r}: {self.received!r}"
            chunk = self.socket.recv(65536)
            if not chunk:
                self.closed = True
            self.received += chunk
        return self.received

    def read_to_end(self) -> bytes:
        while chunk := self.socket.recv(65536):
            self.received += chunk
        self.closed = True
        return self.received

    def close(self) -> None:
        self.socket.close()


def _children(server_pid: int) -> list[int]:
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text()
    return [int(pid) for pid in children.split()]


def _socket_inode(server_port: int, client_port: int) -> str:
    """The inode of the server's end of the connection from `client_port`."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if (
            int(local.split(":")[1], 16) == server_port
            and int(remote.split(":")[1], 16) == client_port
        ):
            return fields[9]
    raise AssertionError(f"no connection from port {client_port}")


def _holder(workers: list[int], inode: str) -> int:
    """Which worker process holds the socket `inode`."""
    wanted = f"socket:[{inode}]"
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == wanted:
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds {wanted}")


def test_an_event_written_on_one_worker_reaches_streams_on_the_other(
    committed_database: str, redis_prefix: str
) -> None:
    env = {
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_KEY_PREFIX": redis_prefix,
    }
    with running_server(committed_database, "--workers", "2", env=env) as (
        server,
        api,
    ):
        author, reader = sign_up(api), sign_up(api)
        post = httpx.post(
            f"{api}/posts",
            json={"title": "Streams", "content": "Across workers"},
            headers=author.headers,
        )
        assert post.status_code == 201, post.text
        # The workers, and the supervisor's other children.
        children = _children(server.pid)
        server_port = int(api.rsplit(":", 1)[1])
        authorization = author.headers["Authorization"]

        def held_by(stream: RawStream) -> int:
            return _holder(children, _socket_inode(server_port, stream.local_port))

        first = RawStream(api, authorization)
        # With the worker holding it paused, the other accepts the next.
        paused = held_by(first)
        os.kill(paused, signal.SIGSTOP)
        try:
            second = RawStream(api, authorization)
        finally:
            os.kill(paused, signal.SIGCONT)
        assert held_by(second) != paused

        comment = httpx.post(
            f"{api}/posts/{post.json()['id']}/comments",
            json={"content": "Seen everywhere"},
            headers=reader.headers,
        )

        assert comment.status_code == 201, comment.text
        for stream in (first, second):
            received = stream.read_until(comment.json()["id"].encode())
            assert b"event: notification" in received
            stream.close()


def test_stopping_the_server_ends_its_streams_at_once(committed_database: str) -> None:
    with running_server(committed_database) as (server, api):
        user = sign_up(api)
        stream = RawStream(api, user.headers["Authorization"])
        asked = time.monotonic()

        os.kill(server.pid, signal.SIGTERM)
        received = stream.read_to_end()
        ended = time.monotonic() - asked
        stream.close()
        server.wait(timeout=DEADLINE)
        stopped = time.monotonic() - asked

    # A whole response: the chunked body's last chunk, not a cut connection.
    assert received.endswith(b"0\r\n\r\n")
    # Well before the 30 s the server gives requests in flight.
    assert ended < 5
    assert stopped < 10


def test_streams_make_room_for_ordinary_requests_at_the_connection_limit(
    committed_database: str,
) -> None:
    env = {"SERVE_MAX_CONNECTIONS": "4"}
    with running_server(committed_database, env=env) as (_, api):
        user = sign_up(api)
        streams = [RawStream(api, user.headers["Authorization"]) for _ in range(4)]

        with httpx.Client() as client:
            answered = client.get(f"{api}/posts")
            oldest = streams[0].read_to_end()

        assert answered.status_code == 200
        assert oldest.startswith(b"HTTP/1.1 200")
        for stream in streams:
            stream.close()
