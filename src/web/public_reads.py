"""Anonymous reads of public resources, answered before routing.

The hottest reads (a post, a profile, the first page of the public list)
are the same for every anonymous reader. For the reads a domain declares
(`PublicRead`), an anonymous `GET` whose path and query say exactly what it
reads is answered here by the domain's own read function: from the read
cache on a hit (stored as the bytes the route sent, with its ETag), from the
database otherwise (filling the cache). No routing, no dependency
resolution, no validation: the request names one row by a well-formed id.

Anything else goes on to the route: another query parameter, a credential,
an id spelled otherwise, and every read whose answer is not the public one
(a draft, a hidden post, an unknown id: the route says 404 as always). A
read that fails (the database is away) is answered by the application's
own exception handlers, so a client sees the route's error. The answer is
the route's own: same body, same headers, same 304, the route's name in
the metrics, and the request layer around it adds the request id and the
access line as for any other. With tracing on, this layer is left out
(src/main.py): every request goes through its route, whose trace shows
the route, its dependencies and its endpoint.
"""

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from fastapi.routing import APIRoute
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from src.web.conditional import answered
from src.web.state import STATE_KEY, AppState

# Headers that make a request someone's: their answer is not the public one.
_CREDENTIALS = frozenset({b"authorization", b"x-api-key"})
# Where the match leaves what the read takes, in the request's own scope.
_WANTED = "publishing.public_read"


class PublicAnswer(Protocol):
    """What a public read gives: its JSON, and its ETag if it has one."""

    @property
    def body(self) -> bytes: ...


class PublicRead[S](NamedTuple):
    """A route whose anonymous answers are read here: its name; what a GET's
    path and query ask it for (None: not a request read here); and the read
    itself, which gives None where the answer is not the public one."""

    route_name: str
    wanted: Callable[[str, bytes], S | None]
    read: Callable[[AppState, S], Awaitable[PublicAnswer | None]]


# A UUID as the routes write it: what a path must hold to name its item here.
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def by_id(
    route_name: str,
    prefix: str,
    read: Callable[[AppState, UUID], Awaitable[PublicAnswer | None]],
) -> PublicRead[UUID]:
    """A route answering one item at `<prefix>/<id>`, without a query."""
    pattern = re.compile(rf"{re.escape(prefix)}/({UUID_PATTERN})")

    def wanted(path: str, query: bytes) -> UUID | None:
        match = pattern.fullmatch(path)
        return None if match is None or query else UUID(match[1])

    return PublicRead(route_name, wanted, read)


class PublicReadsMiddleware:
    """Answers the anonymous reads of `reads` before routing."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        reads: Sequence[PublicRead[Any]],
        routes: Iterable[BaseRoute],
        exception_handlers: Mapping[Any, Any],
    ) -> None:
        self.app = app
        self._reads = reads
        # The route objects the router puts in the scope, by name: what the
        # metrics and the access line name a request by.
        self._routes = {
            route.name: route for route in routes if isinstance(route, APIRoute)
        }
        # The application's handlers, as its routes have them (a bug's 500
        # is the outermost layer's, as for a route).
        self._answer = ExceptionMiddleware(
            self._read,
            handlers={
                key: handler
                for key, handler in exception_handlers.items()
                if key not in (500, Exception)
            },
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self._wanted(scope):
            await self._answer(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _wanted(self, scope: Scope) -> bool:
        path, query = scope["path"], scope["query_string"]
        for read in self._reads:
            subject = read.wanted(path, query)
            if subject is not None:
                break
        else:
            return False
        if_none_match = None
        for name, header in scope["headers"]:
            if name in _CREDENTIALS:
                return False
            if name == b"if-none-match":
                if_none_match = header.decode("latin-1")
        scope["route"] = self._routes.get(read.route_name)
        scope[_WANTED] = (read, subject, if_none_match)
        return True

    async def _read(self, scope: Scope, receive: Receive, send: Send) -> None:
        read, subject, if_none_match = scope.pop(_WANTED)
        value = await read.read(scope["state"][STATE_KEY], subject)
        if value is None:
            await self.app(scope, receive, send)
            return
        tag: str | None = getattr(value, "tag", None)
        response = (
            Response(value.body, media_type="application/json")
            if tag is None
            else answered(value.body, tag, if_none_match)
        )
        await response(scope, receive, send)
