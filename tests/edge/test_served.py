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


@pytest.fixture(scope="module")
def guarded_api(committed_module_database: str) -> Iterator[tuple[str, int]]:
    env = {"SERVE_HEADER_TIMEOUT": str(HEADER_TIMEOUT)}
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


@pytest.mark.parametrize("trickle", [False, True], ids=["silent", "trickling"])
def test_a_client_slow_to_send_its_headers_is_disconnected(
    guarded_api: tuple[str, int], trickle: bool
) -> None:
    with socket.create_connection(guarded_api, timeout=30) as connection:
        started = time.monotonic()
        closed = False
        if trickle:
            # One byte every tenth of a second: never a complete header.
            for byte in b"GET /health HTTP/1.1\r\nHost: test\r\nX-Slow: " + b"a" * 200:
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                readable, _, _ = select.select([connection], [], [], 0.1)
                if readable and connection.recv(1) == b"":
                    closed = True
                    break
        else:
            closed = connection.recv(1) == b""
        waited = time.monotonic() - started

    assert closed
    # The deadline runs from the server's accept; its timer may fire a tick early.
    assert HEADER_TIMEOUT - 0.1 <= waited < HEADER_TIMEOUT + 5, waited
