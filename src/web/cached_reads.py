"""Anonymous reads answered straight from the read cache, before routing.

A cache hit needs no dependency, no validation and no serialization: the
answer is stored as the bytes the route sent, with its ETag. For the reads
a domain declares (`CachedRead`), an anonymous `GET` whose path and query
say exactly which entry it wants is answered here when the cache holds
that entry under the current generations; anything else (a miss, a
credential, another query parameter) goes on to the route, which answers
and fills the cache as before. The answer is the route's own: same body,
same headers, same 304, the route's name in the metrics, and the request
layer around it adds the request id and the access line as for any other.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from src.web.conditional import answered
from src.web.read_cache import ReadCache
from src.web.state import STATE_KEY

# Headers that make a request someone's: their answer is not the cached one.
_CREDENTIALS = frozenset({b"authorization", b"x-api-key"})


class Wanted(NamedTuple):
    """The cache entry a request asks for, and the names it shows."""

    key: str
    names: tuple[str, ...]


class CachedRead(NamedTuple):
    """A route whose anonymous answers the cache holds: its name, and which
    entry a request's path and query (already known to be a GET) want, or
    None when the request is not one the route answers from the cache."""

    route_name: str
    wanted: Callable[[str, bytes], Wanted | None]


# A UUID as the routes write it: what a hit's path must hold to name its entry.
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def by_id(
    route_name: str, prefix: str, name_of: Callable[[UUID], str], *shown: str
) -> CachedRead:
    """A route answering one item at `<prefix>/<id>`, without a query: its
    entry is the item's name, valid while that name and `shown` stand."""
    pattern = re.compile(rf"{re.escape(prefix)}/({UUID_PATTERN})")

    def wanted(path: str, query: bytes) -> Wanted | None:
        match = pattern.fullmatch(path)
        if match is None or query:
            return None
        key = name_of(UUID(match[1]))
        return Wanted(key, (key, *shown))

    return CachedRead(route_name, wanted)


class CachedReadsMiddleware:
    """Answers the anonymous reads of `reads` from the read cache on a hit."""

    def __init__(
        self, app: ASGIApp, *, reads: Sequence[CachedRead], routes: Iterable[BaseRoute]
    ) -> None:
        self.app = app
        self._reads = reads
        # The route objects the router puts in the scope, by name: what the
        # metrics and the access line name a request by.
        self._routes = {
            route.name: route for route in routes if isinstance(route, APIRoute)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hit = await self._hit(scope) if scope["type"] == "http" else None
        if hit is None:
            await self.app(scope, receive, send)
            return
        read, value, if_none_match = hit
        scope["route"] = self._routes.get(read.route_name)
        tag: str | None = getattr(value, "tag", None)
        response = (
            Response(value.body, media_type="application/json")
            if tag is None
            else answered(value.body, tag, if_none_match)
        )
        await response(scope, receive, send)

    async def _hit(self, scope: Scope) -> tuple[CachedRead, Any, str | None] | None:
        if scope["method"] != "GET":
            return None
        state = scope.get("state", {}).get(STATE_KEY)
        cache: ReadCache | None = getattr(state, "read_cache", None)
        if cache is None:
            return None
        path, query = scope["path"], scope["query_string"]
        for read in self._reads:
            wanted = read.wanted(path, query)
            if wanted is not None:
                break
        else:
            return None
        if_none_match = None
        for name, header in scope["headers"]:
            if name in _CREDENTIALS:
                return None
            if name == b"if-none-match":
                if_none_match = header.decode("latin-1")
        value = cache.get(wanted.key, await cache.generations(wanted.names))
        return None if value is None else (read, value, if_none_match)
