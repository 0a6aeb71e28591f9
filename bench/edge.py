"""How a running server holds up at the HTTP edge: the figures
bench/edge.sh reports for `serve` and for uvicorn without its guards.

- largest header accepted: the biggest `X-Padding` header answered 200;
- silent client dropped after: seconds until a connection that sends
  nothing is closed (capped at --wait);
- idle sockets: open --idle connections that send nothing, then probe
  /health --probes times (2 s timeout each) and count the answers;
- RSS under a header flood: the server's resident memory before and after
  --flood parallel requests with a header of --flood-mib MiB each, and how
  long the flood took to be dealt with.

Usage: uv run python -m bench.edge --port 8077 --pid PID [options]
"""

import argparse
import contextlib
import select
import socket
import time

import httpx


def _status(address: tuple[str, int], header_bytes: int) -> int:
    request = (
        b"GET /health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nX-Padding: "
        + b"a" * header_bytes
        + b"\r\n\r\n"
    )
    with socket.create_connection(address, timeout=30) as connection:
        try:
            connection.sendall(request)
            answer = connection.recv(64)
        except OSError:
            return 0
    return int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/") else 0


def largest_header(address: tuple[str, int]) -> int:
    """Bisect the header size answered 200, up to 64 MiB."""
    low, high = 0, 64 * 1024 * 1024
    if _status(address, high) == 200:
        return high
    while high - low > 1:
        middle = (low + high) // 2
        if _status(address, middle) == 200:
            low = middle
        else:
            high = middle
    return low


def silent_client_dropped_after(address: tuple[str, int], wait: float) -> float:
    with socket.create_connection(address, timeout=wait) as connection:
        started = time.monotonic()
        with contextlib.suppress(TimeoutError):
            connection.recv(1)
        return time.monotonic() - started


def idle_sockets(address: tuple[str, int], idle: int, probes: int) -> tuple[int, int]:
    """Opened idle sockets, /health probes answered while they are open."""
    held = []
    try:
        for _ in range(idle):
            try:
                held.append(socket.create_connection(address, timeout=5))
            except OSError:
                break
        answered = 0
        url = f"http://{address[0]}:{address[1]}/health"
        for _ in range(probes):
            try:
                httpx.get(url, timeout=2)
                answered += 1
            except httpx.HTTPError:
                pass
        return len(held), answered
    finally:
        for connection in held:
            connection.close()


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise LookupError(pid)


def header_flood(
    address: tuple[str, int], pid: int, connections: int, mib: int
) -> tuple[float, float, float]:
    """RSS before and after, and seconds until every request was sent or refused."""
    before = _rss_mib(pid)
    request = b"GET /health HTTP/1.1\r\nHost: bench\r\nX-Padding: " + b"a" * (
        mib * 1024 * 1024
    )
    request += b"\r\n\r\n"
    sockets = [socket.create_connection(address) for _ in range(connections)]
    started = time.monotonic()
    pending = {connection: memoryview(request) for connection in sockets}
    for connection in sockets:
        connection.setblocking(False)
    while pending:
        _, writable, _ = select.select([], list(pending), [], 120)
        if not writable:
            break
        for connection in writable:
            try:
                sent = connection.send(pending[connection][: 256 * 1024])
            except OSError:
                del pending[connection]
                continue
            pending[connection] = pending[connection][sent:]
            if not pending[connection]:
                del pending[connection]
    # Until each is answered or closed: the server has dealt with the flood.
    for connection in sockets:
        connection.setblocking(True)
        connection.settimeout(120)
        with contextlib.suppress(OSError):
            connection.recv(1)
    took = time.monotonic() - started
    peak = _rss_mib(pid)
    for connection in sockets:
        connection.close()
    return before, peak, took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--wait", type=float, default=30)
    parser.add_argument("--idle", type=int, default=1100)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--flood", type=int, default=10)
    parser.add_argument("--flood-mib", type=int, default=50)
    arguments = parser.parse_args()
    address = ("127.0.0.1", arguments.port)

    print(f"largest header accepted: {largest_header(address)} bytes")
    dropped = silent_client_dropped_after(address, arguments.wait)
    print(f"silent client dropped after: {dropped:.1f} s (gave up at {arguments.wait})")
    opened, answered = idle_sockets(address, arguments.idle, arguments.probes)
    probes = arguments.probes
    print(f"{opened} idle sockets: {answered} of {probes} /health probes answered")
    before, after, took = header_flood(
        address, arguments.pid, arguments.flood, arguments.flood_mib
    )
    print(
        f"{arguments.flood} x {arguments.flood_mib} MiB headers: RSS {before:.1f} -> "
        f"{after:.1f} MiB, dealt with in {took:.1f} s"
    )


if __name__ == "__main__":
    main()
