"""Public reads answered from memory while nothing they show has changed.

An entry is one answer (a post, a profile, the first page of a list) as an
anonymous reader sees it, kept with the generations of the names it shows
(`post:<id>`, `posts`...). A service that writes something a cached read
shows records those names in its unit of work (`changed`); once the write
commits, the cache (a listener of the units of work) moves their
generations on, before the writer gets its answer. A read first asks for
the current generations, and an entry made under older ones is never served
again: a reader sees no value older than the last committed write.

A read that misses asks for the generations before it reads the database,
and stores its answer under them: if a write commits meanwhile, the answer
is stored under generations already past, and never served.

Where the generations live:

- with Redis, in Redis (one `MGET` per read, one `INCR` per name written),
  so every worker sees every worker's writes. An epoch kept beside them
  changes if Redis loses its data, so no entry made before outlives it.
  A read that cannot reach Redis goes to the database.
- without Redis, in the process: only for a process that serves alone
  (`serve` with one worker; `WEB_CONCURRENCY` says how many there are).

Entries stay in a least-recently-used table per worker, of at most
`max_bytes` (counted as what each entry's JSON weighs, twice: its rows and
its bytes), each for at most `ttl` seconds (what bounds a write whose invalidation
Redis did not take, as when it is unreachable at that moment).
"""

import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import structlog

from src.database.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = structlog.get_logger(__name__)

_CHANGED = "read_cache"

type Generations = tuple[Any, ...]


class _Entry(NamedTuple):
    generations: Generations
    expiry: float
    value: Any
    weight: int


async def read_through[T](
    cache: "ReadCache | None",
    key: str,
    names: Sequence[str],
    read: Callable[[], Awaitable[T]],
    cost: Callable[[T], int | None],
) -> T:
    """The value under `key` if the cache holds it for the current
    generations of `names`; else `read()`, kept under the generations asked
    for before it read, unless its `cost` (the length of its JSON) is None."""
    if cache is None:
        return await read()
    generations = await cache.generations(names)
    hit: T | None = cache.get(key, generations)
    if hit is not None:
        return hit
    value = await read()
    if (weight := cost(value)) is not None:
        cache.put(key, generations, value, cost=weight)
    return value


def changed(uow: UnitOfWork, *names: str) -> None:
    """Once `uow` commits, no cached read showing `names` is served again."""
    uow.info.setdefault(_CHANGED, set()).update(names)


class ReadCache:
    """Answers by key, each valid while its names' generations stand."""

    def __init__(
        self, redis: "Redis | None", *, prefix: str, max_bytes: int, ttl: float
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:generation:"
        self._epoch_key = f"{self._prefix}epoch"
        self._max_bytes = max_bytes
        self._bytes = 0
        self._ttl = ttl
        self._local: dict[str, int] = {}
        # Most recently used last.
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    async def generations(self, names: Sequence[str]) -> Generations | None:
        """The current generations of `names` (None: not known now, so
        neither read nor fill)."""
        if self._redis is None:
            return tuple(self._local.get(name, 0) for name in names)
        keys = [self._epoch_key, *(self._prefix + name for name in names)]
        try:
            found = await self._redis.mget(keys)
            if found[0] is None:
                await self._redis.set(self._epoch_key, secrets.token_hex(8), nx=True)
                found = await self._redis.mget(keys)
        except Exception as exc:
            logger.warning("read_cache_unavailable", error=repr(exc))
            return None
        return tuple(found)

    def get(self, key: str, generations: Generations | None) -> Any:
        """The value stored under `key` for exactly these generations, or None."""
        entry = self._entries.get(key)
        if generations is None or entry is None:
            return None
        if entry.generations != generations or entry.expiry < time.monotonic():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(
        self, key: str, generations: Generations | None, value: Any, *, cost: int
    ) -> None:
        """Keep `value` under `key`, valid while `generations` stand; `cost`
        is the length of its JSON."""
        weight = 2 * cost
        if generations is None or weight > self._max_bytes:
            return
        self._drop(key)
        expiry = time.monotonic() + self._ttl
        self._entries[key] = _Entry(generations, expiry, value, weight)
        self._bytes += weight
        while self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.weight

    async def after_commit(self, uow: UnitOfWork) -> None:
        """Move on the generations of what the committed unit of work changed."""
        names: set[str] = uow.info.get(_CHANGED, set())
        if not names:
            return
        if self._redis is None:
            for name in names:
                self._local[name] = self._local.get(name, 0) + 1
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in sorted(names):
                pipe.incr(self._prefix + name)
            await pipe.execute()
