"""The production command (`serve`) as clients meet it: a real server
process, spoken to over TCP."""

import select
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.utils import running_server


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


@pytest.mark.parametrize("path", ["/health", "/posts", "/nope"])
def test_responses_do_not_name_the_server_and_forbid_sniffing(
    api: str, path: str
) -> None:
    response = httpx.get(f"{api}{path}")

    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


HEADER_TIMEOUT = 1.0
KEEP_ALIVE_TIMEOUT = 3


@pytest.fixture(scope="module")
def guarded_api(committed_module_database: str) -> Iterator[tuple[str, int]]:
    env = {
        "SERVE_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "SERVE_KEEP_ALIVE_TIMEOUT": str(KEEP_ALIVE_TIMEOUT),
    }
    with running_server(committed_module_database, env=env) as (_, base_url):
        yield "127.0.0.1", int(base_url.rsplit(":", 1)[1])


def _exchange(address: tuple[str, int], request: bytes) -> bytes:
    """Send `request` and read until the server closes the connection."""
    with socket.create_connection(address, timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def _request_with_header_of(size: int) -> bytes:
    return (
        b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
        + b"X-Padding: "
        + b"a" * size
        + b"\r\n\r\n"
    )


def test_headers_over_the_limit_are_431(guarded_api: tuple[str, int]) -> None:
    answer = _exchange(guarded_api, _request_with_header_of(64 * 1024))

    assert answer.startswith(b"HTTP/1.1 431 ")
    assert answer.endswith(b'{"detail":"Request headers too large"}')


def test_headers_under_the_limit_are_served(guarded_api: tuple[str, int]) -> None:
    answer = _exchange(guarded_api, _request_with_header_of(12 * 1024))

    assert answer.startswith(b"HTTP/1.1 200 ")


def _trickle_until_closed(connection: socket.socket) -> bool:
    """Send a request's headers one byte every tenth of a second, never
    completing them; True if the server closed the connection meanwhile."""
    for byte in b"GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: " + b"a" * 200:
        try:
            connection.sendall(bytes([byte]))
        except OSError:
            return True
        readable, _, _ = select.select([connection], [], [], 0.1)
        if readable and connection.recv(1) == b"":
            return True
    return False


def _read_response(connection: socket.socket) -> bytes:
    """One response to a request for /health (a JSON body with its length)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += connection.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += connection.recv(65536)
    return head


HEALTH = b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n"


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "trickling"])
def test_a_client_slow_to_send_its_headers_is_disconnected(
    guarded_api: tuple[str, int], trickle: bool
) -> None:
    with socket.create_connection(guarded_api, timeout=30) as connection:
        started = time.monotonic()
        closed = (
            _trickle_until_closed(connection) if trickle else connection.recv(1) == b""
        )
        waited = time.monotonic() - started

    assert closed
    # The deadline runs from the server's accept; its timer may fire a tick early.
    assert HEADER_TIMEOUT - 0.1 <= waited < HEADER_TIMEOUT + 5, waited


def test_a_later_request_slow_with_its_headers_is_disconnected(
    guarded_api: tuple[str, int],
) -> None:
    with socket.create_connection(guarded_api, timeout=30) as connection:
        connection.sendall(HEALTH)
        assert _read_response(connection).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        closed = _trickle_until_closed(connection)
        waited = time.monotonic() - started

    assert closed
    assert HEADER_TIMEOUT - 0.1 <= waited < HEADER_TIMEOUT + 5, waited


def test_an_idle_keep_alive_connection_is_closed(
    guarded_api: tuple[str, int],
) -> None:
    with socket.create_connection(guarded_api, timeout=30) as connection:
        connection.sendall(HEALTH)
        assert _read_response(connection).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        closed = connection.recv(1) == b""
        waited = time.monotonic() - started

    assert closed
    assert KEEP_ALIVE_TIMEOUT - 0.1 <= waited < KEEP_ALIVE_TIMEOUT + 5, waited


def _probe_health(base_url: str, times: int) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return [client.get("/health").status_code for _ in range(times)]


def _probe_health_holding(base_url: str, sockets: int, sent: bytes) -> list[int]:
    """Probe /health 20 times while `sockets` connections are open, each
    having sent `sent` (part of a request's headers, or nothing)."""
    address = ("127.0.0.1", int(base_url.rsplit(":", 1)[1]))
    held = [socket.create_connection(address, timeout=30) for _ in range(sockets)]
    try:
        for connection in held:
            if sent:
                connection.sendall(sent)
        return _probe_health(base_url, 20)
    finally:
        for connection in held:
            connection.close()


def test_slow_header_sockets_leave_health_answering(
    committed_module_database: str,
) -> None:
    # A deadline longer than the test: the sockets stay while /health is probed.
    env = {"SERVE_HEADER_TIMEOUT": "60"}
    with running_server(committed_module_database, env=env) as (_, base_url):
        statuses = _probe_health_holding(
            base_url, 200, b"GET /health HTTP/1.1\r\nHost: te"
        )

    assert statuses == [200] * 20


def test_idle_sockets_past_the_open_file_limit_leave_health_answering(
    committed_module_database: str,
) -> None:
    env = {"SERVE_HEADER_TIMEOUT": "60"}
    with running_server(committed_module_database, env=env, open_files=256) as (
        _,
        base_url,
    ):
        # More than the server could hold open at once.
        statuses = _probe_health_holding(base_url, 400, b"")

    assert statuses == [200] * 20


def test_past_the_connection_limit_with_every_request_in_flight_is_503(
    committed_module_database: str,
) -> None:
    env = {"SERVE_MAX_CONNECTIONS": "3"}
    with running_server(committed_module_database, env=env) as (_, base_url):
        address = ("127.0.0.1", int(base_url.rsplit(":", 1)[1]))
        # Registrations whose bodies never come: each request is in flight.
        busy = [socket.create_connection(address, timeout=30) for _ in range(3)]
        try:
            for connection in busy:
                connection.sendall(
                    b"POST /auth/users HTTP/1.1\r\nHost: test\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                )
            # The server has read all three before the next one arrives.
            time.sleep(0.5)
            answer = _exchange(address, HEALTH)
        finally:
            for connection in busy:
                connection.close()
        statuses = _probe_health(base_url, 1)

    assert answer.startswith(b"HTTP/1.1 503 ")
    assert b"retry-after: 1\r\n" in answer
    assert statuses == [200]


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError


def _flood(address: tuple[str, int], connections: int, header_bytes: int) -> None:
    """Send `connections` requests at once, each with a header of `header_bytes`."""
    request = _request_with_header_of(header_bytes)
    sockets = [
        socket.create_connection(address, timeout=30) for _ in range(connections)
    ]
    try:
        for connection in sockets:
            connection.setblocking(False)
        pending = {connection: memoryview(request) for connection in sockets}
        while pending:
            _, writable, _ = select.select([], list(pending), [], 10)
            assert writable, "the server stopped reading without closing"
            for connection in writable:
                try:
                    sent = connection.send(pending[connection][:65536])
                except OSError:
                    # Refused and closed by the server: the header is done.
                    del pending[connection]
                    continue
                pending[connection] = pending[connection][sent:]
                if not pending[connection]:
                    del pending[connection]
    finally:
        for connection in sockets:
            connection.close()


def test_header_floods_do_not_grow_memory(committed_module_database: str) -> None:
    with running_server(committed_module_database) as (process, base_url):
        address = ("127.0.0.1", int(base_url.rsplit(":", 1)[1]))
        _flood(address, 10, 4 * 1024 * 1024)
        before = _rss_kib(process.pid)
        for _ in range(3):
            _flood(address, 10, 4 * 1024 * 1024)
        after = _rss_kib(process.pid)
        statuses = _probe_health(base_url, 1)

    assert after - before < 4 * 1024, (before, after)
    assert statuses == [200]
