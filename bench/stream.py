"""Notification streams against a running server (bench/stream.sh runs it).

- `hold`: open --streams streams (--per-user per user, of the seeded users)
  and keep reading them; prints `ready` once every one is live, and holds
  them until stdin closes.
- `latency`: open --streams streams (one per user), then comment at --rate
  comments a second for --seconds on posts of those users, by another user;
  prints how long each notification took to reach its stream, measured from
  its `created_at` (stamped before the commit, so an upper bound of the time
  from the commit), and how many arrived.

Tokens are minted with the server's own settings (the same environment), for
users the seed made: no password hashing in the way.

Usage: uv run python -m bench.stream hold|latency --port 8077 [options]
"""

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from datetime import datetime
from uuid import UUID

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from src.auth.utils import create_access_token
from src.config import load_settings


async def _authors(count: int) -> list[tuple[UUID, UUID]]:
    """`count` users with a published post: (user id, one of their post ids)."""
    engine = create_async_engine(load_settings().app.DATABASE_URL)
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT DISTINCT ON (creator_id) creator_id, id FROM post "
                "WHERE status = 'published' ORDER BY creator_id, id LIMIT :n"
            ),
            {"n": count},
        )
        found = [(row[0], row[1]) for row in rows]
    await engine.dispose()
    if len(found) < count:
        sys.exit(f"needs {count} users with posts, found {len(found)}")
    return found


def _token(user_id: UUID) -> str:
    return create_access_token(user_id, load_settings().auth)


class Stream:
    """One stream on its own connection; records when each event arrives."""

    def __init__(self, port: int, user_id: UUID, arrived: asyncio.Queue[None]) -> None:
        self.port = port
        self.token = _token(user_id)
        self.live = asyncio.Event()
        self.arrivals: list[tuple[float, str]] = []
        self.arrived = arrived

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            b"GET /notifications/stream HTTP/1.1\r\nHost: bench\r\n"
            + f"Authorization: Bearer {self.token}\r\n\r\n".encode()
        )
        await writer.drain()
        try:
            while line := await reader.readline():
                if line.startswith(b"retry:"):
                    self.live.set()
                elif line.startswith(b"data: "):
                    self.arrivals.append((time.time(), line[6:].decode()))
                    self.arrived.put_nowait(None)
        finally:
            writer.close()


async def _open(
    port: int, users: list[UUID], per_user: int, arrived: asyncio.Queue[None]
) -> list[Stream]:
    streams = [Stream(port, user, arrived) for user in users for _ in range(per_user)]
    tasks = []
    # In batches: a burst of thousands of connects overflows the listen queue.
    for start in range(0, len(streams), 200):
        batch = streams[start : start + 200]
        tasks += [asyncio.create_task(stream.run()) for stream in batch]
        await asyncio.wait_for(
            asyncio.gather(*(stream.live.wait() for stream in batch)), 60
        )
    _keep.extend(tasks)
    return streams


_keep: list[asyncio.Task[None]] = []


async def hold(args: argparse.Namespace) -> None:
    users = [user for user, _ in await _authors(args.streams // args.per_user)]
    await _open(args.port, users, args.per_user, asyncio.Queue())
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def latency(args: argparse.Namespace) -> None:
    authors = await _authors(args.streams)
    arrived: asyncio.Queue[None] = asyncio.Queue()
    streams = await _open(args.port, [user for user, _ in authors], 1, arrived)
    # The first author comments on the others' posts: each comment notifies.
    commenter = authors[0][0]
    authors = authors[1:]
    headers = {"Authorization": f"Bearer {_token(commenter)}"}
    interval = 1 / args.rate
    count = int(args.rate * args.seconds)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{args.port}") as client:

        async def comment(post_id: UUID) -> None:
            answered = await client.post(
                f"/posts/{post_id}/comments", json={"content": "Hi"}, headers=headers
            )
            answered.raise_for_status()

        started = time.monotonic()
        sent = []
        for index in range(count):
            # An open schedule: comments go out on time, answered or not.
            await asyncio.sleep(max(0, started + index * interval - time.monotonic()))
            sent.append(asyncio.create_task(comment(authors[index % len(authors)][1])))
        await asyncio.gather(*sent)
    # The last events are on their way: wait for them, a few seconds at most.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(5):
            for _ in range(count):
                await arrived.get()
    delays = sorted(
        (arrived - datetime.fromisoformat(json.loads(data)["created_at"]).timestamp())
        * 1000
        for stream in streams
        for arrived, data in stream.arrivals
    )
    quantiles = statistics.quantiles(delays, n=100)
    print(
        json.dumps(
            {
                "streams": len(streams),
                "comments": count,
                "delivered": len(delays),
                "p50_ms": round(quantiles[49], 1),
                "p99_ms": round(quantiles[98], 1),
                "max_ms": round(delays[-1], 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=["hold", "latency"])
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    asyncio.run(hold(args) if args.mode == "hold" else latency(args))


if __name__ == "__main__":
    main()
